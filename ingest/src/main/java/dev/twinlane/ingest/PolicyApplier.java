package dev.twinlane.ingest;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.PolicyMap;

/**
 * Puts a compiled policy into force with one map write. The programs read the slot that
 * policy_active names; an apply empties the other slot (unless {@link #prepare()} already
 * did), fills it (the slot then holds exactly the policy's entries), writes its meta
 * (version, mode), and only then flips policy_active. A failure or a crash before the flip
 * leaves the policy in force whole; the half-filled slot is emptied by the next apply.
 *
 * One writer at a time: the agent applies from one thread (the slots are not locked against
 * a second applier).
 */
public final class PolicyApplier {
    /** How long after a flip the old slot may still be read by a decision that began before it. */
    static final long GRACE_NANOS = 100_000_000L;
    /** From this many entries two threads fill a slot (see {@link #fillThreads}). */
    public static final int TWO_THREADS_FROM = SlotFiller.PARALLEL_FROM;

    private final PolicySlots slots;
    private final SlotFiller filler;
    /** What this applier last wrote into each slot (null: unknown, walked when cleared). */
    private final CompiledPolicy[] held = new CompiledPolicy[2];
    private final boolean[] empty = new boolean[2];
    private long lastFlipNanos = System.nanoTime() - GRACE_NANOS;
    /** The slot this applier last put in force (or adopted); -1: none yet, nothing to check. */
    private int inForceSlot = -1;

    PolicyApplier(PolicySlots slots) {
        this.slots = slots;
        this.filler = new SlotFiller(slots);
    }

    /** What an apply did: the slot now active, the entries written, and how long the map writes took. */
    public record Applied(long version, int slot, int entries, int cleared, long clearNanos, long switchNanos,
            long fillKernelNanos, long switchCpuNanos, long fillWaitNanos, long fillOverlapNanos) {
        /** From the first map write to the flip, the clearing of the inactive slot included. */
        public double millis() {
            return (clearNanos + switchNanos) / 1e6;
        }

        /** Fill, meta and flip only: the apply time when {@link #prepare()} emptied the slot ahead. */
        public double switchMillis() {
            return switchNanos / 1e6;
        }

        /**
         * The CPU time (user + system) the filling threads spent writing the entries, summed: on one
         * thread, {@link #switchMillis()} less meta and flip and the time it waited for a core (other
         * processes on a busy host) or was stopped (GC); on two, up to twice the fill's wall time.
         */
        public double switchCpuMillis() {
            return switchCpuNanos / 1e6;
        }

        /**
         * Of the fill, the time inside the kernel's batch updates, summed over the filling threads
         * (the rest: packing the entries, meta, flip).
         */
        public double fillKernelMillis() {
            return fillKernelNanos / 1e6;
        }

        /** Of the fill, the time the filling threads were ready but not on a CPU, summed over them. */
        public double fillWaitMillis() {
            return fillWaitNanos / 1e6;
        }

        /** How long the two filling threads were writing at the same time (0: one thread filled the slot). */
        public double fillOverlapMillis() {
            return fillOverlapNanos / 1e6;
        }
    }

    /**
     * How many threads fill a slot: 2 (the default on a host of two cores or more) writes a policy
     * of {@value SlotFiller#PARALLEL_FROM} entries or more in two halves at once; 1 keeps the
     * apply on the calling thread's core.
     */
    public void fillThreads(int n) {
        filler.threads(n);
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
        int target = 1 - slots.activeSlot();
        awaitGrace();  // not counted: the time an apply takes is its map writes
        long start = System.nanoTime();
        int cleared = empty[target] ? 0 : clear(target);
        long filling = System.nanoTime();
        empty[target] = false;
        SlotFiller.Filled filled = filler.fill(target, policy);
        slots.writeMeta(target, policy.meta());
        beforeFlip.run();
        slots.activate(target);
        long end = System.nanoTime();
        held[target] = policy;
        inForceSlot = target;
        lastFlipNanos = end;
        return new Applied(policy.version(), target, filled.entries(), cleared, filling - start, end - filling,
                filled.kernelNanos(), filled.cpuNanos(), filled.waitNanos(), filled.overlapNanos());
    }

    /**
     * Empties the inactive slot ahead of the next apply, which then only fills and flips. Like
     * an apply, it clears a slot only {@link #GRACE_NANOS} after the last flip: a decision that
     * read the old index just before the flip must not see that slot half-emptied.
     */
    public int prepare() {
        int target = 1 - slots.activeSlot();
        if (empty[target]) {
            return 0;
        }
        int removed = clear(target);
        empty[target] = true;
        return removed;
    }

    /**
     * {@link #prepare()} if it would not wait: the grace after the last flip has passed (else
     * nothing done, for a caller that comes back later; the agent's heartbeat does, so that an
     * operator's apply finds the slot empty and only fills and flips). True when the inactive
     * slot is empty now.
     */
    public boolean prepareIfDue() {
        if (System.nanoTime() - lastFlipNanos < GRACE_NANOS) {
            return false;
        }
        prepare();
        return true;
    }

    /** Whether the inactive slot is known to be empty, so that the next apply only fills and flips. */
    public boolean nextSlotEmpty() {
        return empty[1 - slots.activeSlot()];
    }

    private void awaitGrace() {
        for (long wait; (wait = lastFlipNanos + GRACE_NANOS - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    private int clear(int slot) {
        awaitGrace();
        int removed = slots.clear(slot, held[slot]);
        held[slot] = null;
        return removed;
    }

    /**
     * Takes the pinned policy in force as this applier's own (a restarted agent, which compiled
     * its policy again): {@link #drift()} compares the kernel's maps with it from now on, so a
     * change made while no agent ran, or a denied file replaced since, shows as drift.
     */
    public void adopt(CompiledPolicy policy) {
        int slot = slots.activeSlot();
        held[slot] = policy;
        inForceSlot = slot;
    }

    /**
     * Reads the policy in force back from the kernel (policy_active, the slot's meta, every map of
     * the slot) and compares it with what this applier put there: empty unless someone else wrote
     * the maps. A walk of the maps, for the tamper check; never on the record path.
     */
    public PolicyDrift drift() {
        if (inForceSlot < 0 || held[inForceSlot] == null) {
            return new PolicyDrift(List.of());
        }
        return PolicyDrift.read(slots, held[inForceSlot], inForceSlot);
    }

    /** Compares the active slot with {@code expected} (tests: which of two policies is in force, and whole?). */
    PolicyDrift drift(CompiledPolicy expected) {
        return PolicyDrift.read(slots, expected, slots.activeSlot());
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
