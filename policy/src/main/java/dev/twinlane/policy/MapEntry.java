package dev.twinlane.policy;

import java.util.Arrays;
import java.util.HexFormat;

/** One key/value pair for a policy map, in the bytes bpf_map_update_elem takes. */
public record MapEntry(byte[] key, byte[] value) {
    public MapEntry {
        key = key.clone();
        value = value.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Copies the key into {@code dst} at {@code offset}: packing a batch of entries without a clone of each. */
    public void copyKeyTo(byte[] dst, int offset) {
        System.arraycopy(key, 0, dst, offset, key.length);
    }

    public void copyValueTo(byte[] dst, int offset) {
        System.arraycopy(value, 0, dst, offset, value.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapEntry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
    }
}
