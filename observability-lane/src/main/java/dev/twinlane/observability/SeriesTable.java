package dev.twinlane.observability;

import java.util.Arrays;

/**
 * Per-window counters of (tgid, syscall nr) series in preallocated arrays:
 * open addressing on a long key, nothing allocated per record.
 */
final class SeriesTable {
    static final int BUCKETS = 64;
    private final long[] keys;
    private final boolean[] used;
    private final long[] counts;
    private final long[] latencySums;
    private final long[] histograms;
    private final int[] order;
    private final int mask;
    private final int limit;
    private int size;

    SeriesTable(int capacity) {
        int slots = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) * 2;
        keys = new long[slots];
        used = new boolean[slots];
        counts = new long[slots];
        latencySums = new long[slots];
        histograms = new long[slots * BUCKETS];
        order = new int[capacity];
        mask = slots - 1;
        limit = capacity;
    }

    static long key(long tgid, long nr) {
        return tgid << 32 | (nr & 0xFFFF_FFFFL);
    }

    /** Adds one sample; false when the table is full and the key is new. */
    boolean add(long key, long latencyNs) {
        int i = slot(key);
        if (!used[i]) {
            if (size == limit) {
                return false;
            }
            used[i] = true;
            keys[i] = key;
            order[size++] = i;
        }
        counts[i]++;
        latencySums[i] += latencyNs;
        histograms[i * BUCKETS + (63 - Long.numberOfLeadingZeros(Math.max(1, latencyNs)))]++;
        return true;
    }

    boolean contains(long key) {
        return used[slot(key)];
    }

    private int slot(long key) {
        int i = (int) (mix(key) & mask);
        while (used[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        return k ^ (k >>> 33);
    }

    int size() {
        return size;
    }

    boolean full() {
        return size == limit;
    }

    /** The n-th series in insertion order, as a slot for the accessors below. */
    int slotAt(int n) {
        return order[n];
    }

    long keyOf(int slot) {
        return keys[slot];
    }

    long countOf(int slot) {
        return counts[slot];
    }

    long latencySumOf(int slot) {
        return latencySums[slot];
    }

    long bucket(int slot, int b) {
        return histograms[slot * BUCKETS + b];
    }

    void clear() {
        for (int n = 0; n < size; n++) {
            int i = order[n];
            used[i] = false;
            counts[i] = 0;
            latencySums[i] = 0;
            Arrays.fill(histograms, i * BUCKETS, (i + 1) * BUCKETS, 0);
        }
        size = 0;
    }
}
