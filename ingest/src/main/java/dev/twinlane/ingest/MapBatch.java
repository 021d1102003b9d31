package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.util.List;

import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;
import jnr.ffi.Pointer;

/**
 * One thread's batch writes into policy maps: the native argument buffers of
 * bpf_map_update_batch / bpf_map_delete_batch, reused across applies and grown to the largest
 * batch so far. Not thread-safe: each filling thread has its own.
 */
final class MapBatch {
    private static final long BPF_NOEXIST = 1;
    private static final int MAX_KEY = 132;

    private final Pointer key = Native.allocate(MAX_KEY);
    private final Pointer value = Native.allocate(16);
    private byte[] packedKeys = new byte[0];
    private byte[] packedValues = new byte[0];
    private Pointer batchKeys;
    private Pointer batchValues;
    private final Pointer batchCount = Native.allocate(4);
    private final Pointer batchOpts = batchOpts();
    /** Time spent inside batch system calls by this batch (the kernel's share of an apply). */
    private long nanos;

    long nanos() {
        return nanos;
    }

    /**
     * Inserts entries whose keys the map does not hold (the slot was emptied; a compiled policy's
     * keys are distinct): one batch, or entry by entry with BPF_NOEXIST where the kernel refuses
     * the batch or stops part-way.
     */
    void insert(int fd, PolicyMap m, List<MapEntry> entries, String mapName) {
        if (entries.isEmpty() || call(fd, m, entries, true)) {
            return;
        }
        // A partial batch leaves some entries in: the entry-by-entry pass must not take them for duplicates.
        for (MapEntry e : entries) {
            key.put(0, e.key(), 0, e.key().length);
            libbpf().bpf_map_delete_elem(fd, key);
        }
        for (MapEntry e : entries) {
            key.put(0, e.key(), 0, e.key().length);
            value.put(0, e.value(), 0, e.value().length);
            if (libbpf().bpf_map_update_elem(fd, key, value, BPF_NOEXIST) != 0) {
                throw new IngestException("cannot fill " + mapName + " (" + entries.size() + " entries): "
                        + Native.strerror(Native.errno()));
            }
        }
    }

    /** Deletes entries in one batch; false when it did not complete (a key missing: the caller walks the map). */
    boolean delete(int fd, PolicyMap m, List<MapEntry> entries) {
        return call(fd, m, entries, false);
    }

    private boolean call(int fd, PolicyMap m, List<MapEntry> entries, boolean insert) {
        int n = entries.size();
        stage(m, entries);
        batchCount.putInt(0, n);
        long start = System.nanoTime();
        int rc = insert ? libbpf().bpf_map_update_batch(fd, batchKeys, batchValues, batchCount, batchOpts)
                : libbpf().bpf_map_delete_batch(fd, batchKeys, batchCount, batchOpts);
        nanos += System.nanoTime() - start;
        return rc == 0 && batchCount.getInt(0) == n;
    }

    /**
     * Packs the entries' keys and values into the reused native buffers with one copy each: a
     * copy per entry (a native call each) cost about as much as the kernel's inserts. The entries
     * are copied from, not read through key()/value(), which clone.
     */
    private void stage(PolicyMap m, List<MapEntry> entries) {
        int n = entries.size();
        int keyBytes = n * m.keySize();
        int valueBytes = n * PolicyMap.VALUE_SIZE;
        if (packedKeys.length < keyBytes) {
            packedKeys = new byte[keyBytes];
            batchKeys = Native.allocate(keyBytes);
        }
        if (packedValues.length < valueBytes) {
            packedValues = new byte[valueBytes];
            batchValues = Native.allocate(valueBytes);
        }
        for (int i = 0; i < n; i++) {
            MapEntry e = entries.get(i);
            e.copyKeyTo(packedKeys, i * m.keySize());
            e.copyValueTo(packedValues, i * PolicyMap.VALUE_SIZE);
        }
        batchKeys.put(0, packedKeys, 0, keyBytes);
        batchValues.put(0, packedValues, 0, valueBytes);
    }

    /** struct bpf_map_batch_opts { size_t sz; __u64 elem_flags, flags; }: all flags 0. */
    private static Pointer batchOpts() {
        Pointer opts = Native.allocate(24);
        opts.putLong(0, 24);
        // Batches take no BPF_NOEXIST (only BPF_F_LOCK): a compiled policy's keys are distinct and the slot empty.
        opts.putLong(8, 0);
        opts.putLong(16, 0);
        return opts;
    }
}
