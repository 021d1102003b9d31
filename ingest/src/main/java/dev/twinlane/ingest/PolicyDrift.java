package dev.twinlane.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;

/**
 * How the kernel's policy maps differ from the policy last put in force: the tamper check's
 * finding (empty when they hold exactly that policy). Each difference names the object (the
 * map's name in the kernel and under the pin directory) and what differs.
 */
public record PolicyDrift(List<Difference> differences) {
    /** One object that differs: for a map, the entries added, removed and changed (same key, other value). */
    public record Difference(String object, int added, int removed, int changed, String detail) {
        String describe() {
            return detail != null ? object + " " + detail : object + " +" + added + " -" + removed + " ~" + changed;
        }
    }

    public PolicyDrift {
        differences = List.copyOf(differences);
    }

    public boolean clean() {
        return differences.isEmpty();
    }

    /** One line, the objects in the kernel's order: {@code pdeny_cidr4_s1 +0 -1 ~0, policy_active 0 (expected 1)}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        differences.forEach(d -> parts.add(d.describe()));
        return String.join(", ", parts);
    }

    /** Reads the active slot, policy_active and the slot's meta back and compares them with {@code expected}. */
    static PolicyDrift read(PolicySlots slots, CompiledPolicy expected, int expectedSlot) {
        List<Difference> out = new ArrayList<>();
        int active = slots.activeValue();
        if (active != expectedSlot) {
            out.add(new Difference(PolicySlots.ACTIVE, 0, 0, 1, active + " (expected " + expectedSlot + ")"));
        }
        byte[] meta = slots.metaBytes(expectedSlot);
        if (!java.util.Arrays.equals(meta, expected.meta())) {
            out.add(new Difference(PolicySlots.META + "[" + expectedSlot + "]", 0, 0, 1, "version "
                    + java.nio.ByteBuffer.wrap(meta).order(java.nio.ByteOrder.nativeOrder()).getLong(0)
                    + " mode " + java.nio.ByteBuffer.wrap(meta).order(java.nio.ByteOrder.nativeOrder()).getInt(8)
                    + " (expected version " + expected.version() + " mode " + expected.mode().code() + ")"));
        }
        for (PolicyMap m : PolicyMap.values()) {
            Difference d = compare(PolicySlots.mapName(m, expectedSlot), expected.entries(m), slots.read(expectedSlot, m));
            if (d != null) {
                out.add(d);
            }
        }
        return new PolicyDrift(out);
    }

    private static Difference compare(String name, List<MapEntry> expected, Map<String, Byte> held) {
        Map<String, Byte> want = new HashMap<>();
        for (MapEntry e : expected) {
            want.put(HexFormat.of().formatHex(e.key()), e.value()[0]);
        }
        int removed = 0;
        int changed = 0;
        for (Map.Entry<String, Byte> w : want.entrySet()) {
            Byte v = held.get(w.getKey());
            if (v == null) {
                removed++;
            } else if (!v.equals(w.getValue())) {
                changed++;
            }
        }
        int added = held.size() - (want.size() - removed);
        return added == 0 && removed == 0 && changed == 0 ? null : new Difference(name, added, removed, changed, null);
    }
}
