package dev.twinlane.security;

import dev.twinlane.ingest.RecordView;

/**
 * One preallocated entry of the security lane's ring: a kernel record copied
 * once out of the mapped ring, or a gap (records the kernel could not keep).
 */
public final class SecurityEvent {
    /** Room for the largest record of twinlane_records.h (tl_exec, 880 bytes). */
    public static final int CAPACITY = 1024;

    public enum Type { RECORD, GAP }

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
