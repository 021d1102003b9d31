package dev.twinlane.ingest;

import java.util.List;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;

/**
 * Puts a compiled policy into force with one map write. The programs read the slot that
 * policy_active names; an apply empties the other slot, fills it (every insert must be new,
 * so the slot then holds exactly the policy's entries), writes its meta (version, mode), and
 * only then flips policy_active. A failure or a crash before the flip leaves the policy in
 * force whole; the half-filled slot is emptied by the next apply.
 *
 * One writer at a time: the agent applies from one thread (the slots are not locked against a
 * second applier).
 */
public final class PolicyApplier {
    private final PolicySlots slots;

    PolicyApplier(PolicySlots slots) {
        this.slots = slots;
    }

    /** What an apply did: the slot now active, the entries written, and the time the map writes took. */
    public record Applied(long version, int slot, int entries, int cleared, long nanos) {
        public double millis() {
            return nanos / 1e6;
        }
    }

    /** What the kernel enforces now: the active slot's policy version (0: none) and mode code. */
    public record InForce(long version, int mode, int slot) {
    }

    public Applied apply(CompiledPolicy policy) {
        return apply(policy, () -> { });
    }

    /** {@code beforeFlip} runs between the fill and the switch: tests abort there. */
    Applied apply(CompiledPolicy policy, Runnable beforeFlip) {
        checkLimits(policy);
        long start = System.nanoTime();
        int target = 1 - slots.activeSlot();
        int cleared = slots.clear(target);
        int entries = 0;
        for (PolicyMap m : PolicyMap.values()) {
            List<MapEntry> e = policy.entries(m);
            slots.fill(target, m, e);
            entries += e.size();
        }
        slots.writeMeta(target, policy.meta());
        beforeFlip.run();
        slots.activate(target);
        return new Applied(policy.version(), target, entries, cleared, System.nanoTime() - start);
    }

    public InForce inForce() {
        int slot = slots.activeSlot();
        return new InForce(slots.metaVersion(slot), slots.metaMode(slot), slot);
    }

    /** The entries the active slot's copy of {@code map} holds (a walk of the map: for checks, not the hot path). */
    public int activeEntries(PolicyMap map) {
        return slots.count(slots.activeSlot(), map);
    }

    private static void checkLimits(CompiledPolicy policy) {
        for (PolicyMap m : PolicyMap.values()) {
            int n = policy.entries(m).size();
            if (n > m.maxEntries()) {
                throw new IngestException("policy version " + policy.version() + " needs " + n + " entries in "
                        + m.mapName() + ", which holds at most " + m.maxEntries() + "; nothing applied");
            }
        }
    }
}
