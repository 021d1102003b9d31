package dev.twinlane.router;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Paths the detector lately found clean, so that a path opened again is not scanned again:
 * programs open the same few files over and over (libraries, /etc, their own /proc entries), and
 * with every open recorded the scan was a tenth of the security thread's time, about ten times a
 * lookup here. Direct-mapped by a hash of the bytes; a hit compares the whole path, so it only
 * ever skips bytes the same detector (its rules do not change while the agent runs) already
 * scanned and found clean. Anyone can evict entries by opening other paths; that costs scans,
 * never a finding. Thread-confined, preallocated (64 KiB), allocates nothing.
 */
final class CleanPaths {
    /** Longer paths are scanned every time. */
    static final int MAX = 128;
    private static final int SLOTS = 512;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] paths = new byte[SLOTS * MAX];
    private final int[] lengths = new int[SLOTS];
    private final long[] hashes = new long[SLOTS];

    /** A hash of {@code t[0..len)} for {@link #contains} and {@link #add}. */
    static long hash(byte[] t, int len) {
        long h = len * 0x9E3779B97F4A7C15L;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = mix(h ^ (long) LONGS.get(t, i));
        }
        for (; i < len; i++) {
            h = mix(h ^ t[i]);
        }
        return h;
    }

    private static long mix(long h) {
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }

    boolean contains(byte[] t, int len, long hash) {
        int s = slot(hash);
        return len > 0 && lengths[s] == len && hashes[s] == hash && Arrays.equals(paths, s * MAX, s * MAX + len, t, 0, len);
    }

    void add(byte[] t, int len, long hash) {
        if (len <= 0 || len > MAX) {
            return;
        }
        int s = slot(hash);
        System.arraycopy(t, 0, paths, s * MAX, len);
        lengths[s] = len;
        hashes[s] = hash;
    }

    private static int slot(long hash) {
        return (int) (hash >>> 40) & (SLOTS - 1);
    }
}
