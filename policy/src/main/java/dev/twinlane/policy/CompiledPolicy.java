package dev.twinlane.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A policy as the kernel will hold it: the entries of every policy map and the policy_meta
 * value, ready for bpf_map_update_elem. Entries are sorted by key and unique, so the same
 * rules give the same bytes, and {@link #digest()} can be compared with what the maps hold
 * (tamper detection).
 */
public record CompiledPolicy(long version, Mode mode, Map<PolicyMap, List<MapEntry>> entries) {
    public CompiledPolicy {
        Map<PolicyMap, List<MapEntry>> copy = new EnumMap<>(PolicyMap.class);
        for (PolicyMap m : PolicyMap.values()) {
            copy.put(m, List.copyOf(entries.getOrDefault(m, List.of())));
        }
        entries = java.util.Collections.unmodifiableMap(copy);
    }

    public List<MapEntry> entries(PolicyMap map) {
        return entries.get(map);
    }

    /** The single policy_meta value (struct tl_policy_meta). */
    public byte[] meta() {
        return MapKeys.meta(version, mode);
    }

    /** SHA-256 over the meta value and every map's name and entries, in order. */
    public byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(meta());
            for (Map.Entry<PolicyMap, List<MapEntry>> m : entries.entrySet()) {
                sha.update(m.getKey().mapName().getBytes(StandardCharsets.US_ASCII));
                sha.update(intBytes(m.getValue().size()));
                for (MapEntry e : m.getValue()) {
                    sha.update(e.key());
                    sha.update(e.value());
                }
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
