package dev.twinlane.policy;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One key/value pair for a policy map, in the bytes bpf_map_update_elem takes. It keeps arrays
 * no one else can write: copies of those it is given, copies of those it gives out.
 */
public final class MapEntry {
    private final byte[] key;
    private final byte[] value;

    public MapEntry(byte[] key, byte[] value) {
        this.key = key.clone();
        this.value = value.clone();
    }

    private MapEntry(byte[] key, byte[] value, Void owned) {
        this.key = key;
        this.value = value;
    }

    /**
     * An entry of arrays the caller gives up (the compiler's fresh keys, and a value it never
     * writes): no copies, which a 10 k rule compile would otherwise make 20 k of.
     */
    static MapEntry owning(byte[] key, byte[] value) {
        return new MapEntry(key, value, null);
    }

    public byte[] key() {
        return key.clone();
    }

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
