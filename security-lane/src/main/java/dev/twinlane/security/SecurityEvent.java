package dev.twinlane.security;

import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * One preallocated entry of the security lane's ring: a kernel record copied
 * once out of the mapped ring, or a gap (records the kernel could not keep).
 */
public final class SecurityEvent {
    /** Room for the largest record of twinlane_records.h (tl_exec, 880 bytes). */
    public static final int CAPACITY = 1024;

    public enum Type { RECORD, GAP, TICK }

    /** Offset of ktime_ns (boot-time ns) by tl_kind code, -1 where a kind has none. */
    private static final int[] KTIME_OFFSET = new int[RecordKind.MAX_CODE + 1];

    static {
        java.util.Arrays.fill(KTIME_OFFSET, -1);
        for (RecordKind k : RecordKind.values()) {
            for (Field f : k.layout().fields()) {
                if (f.name().equals("ktime_ns")) {
                    KTIME_OFFSET[k.code()] = f.offset();
                }
            }
        }
    }

    private final byte[] data = new byte[CAPACITY];
    private Type type;
    private int length;
    private int gapRing;
    private long gapCount;
    private long gapFromNs;
    private long gapToNs;

    void record(RecordView view) {
        int n = view.length();
        if (n > CAPACITY) {
            throw new IllegalArgumentException("record of " + n + " bytes exceeds the lane's " + CAPACITY);
        }
        view.copyTo(data, 0);
        length = n;
        type = Type.RECORD;
    }

    void gap(int ring, long count, long fromNs, long toNs) {
        type = Type.GAP;
        length = 0;
        gapRing = ring;
        gapCount = count;
        gapFromNs = fromNs;
        gapToNs = toNs;
    }

    void tick() {
        type = Type.TICK;
        length = 0;
    }

    public Type type() {
        return type;
    }

    /** The record's bytes, valid for {@link #length()} bytes and only during the handler call. */
    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    /** The record's tl_kind code. */
    public int kindCode() {
        return (data[0] & 0xFF) | (data[1] & 0xFF) << 8;
    }

    /**
     * The record's ktime_ns (CLOCK_BOOTTIME ns, from the tl_header or the kind's own field);
     * 0 when its kind has none or the record is too short.
     */
    public long ktimeNs() {
        int code = kindCode();
        int off = code <= RecordKind.MAX_CODE ? KTIME_OFFSET[code] : -1;
        if (off < 0 || off + 8 > length) {
            return 0;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data[off + i] & 0xFF);
        }
        return v;
    }

    public int gapRing() {
        return gapRing;
    }

    public long gapCount() {
        return gapCount;
    }

    public long gapFromNs() {
        return gapFromNs;
    }

    public long gapToNs() {
        return gapToNs;
    }
}
