package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.libbpf;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;
import jnr.ffi.Pointer;

/**
 * The slotted policy maps of policy_maps.bpf.h: each {@link PolicyMap} twice (slot 0 and 1),
 * policy_meta (one tl_policy_meta per slot) and policy_active (the slot the programs read).
 * Only {@link PolicyApplier} and {@link Deadman} write them.
 */
final class PolicySlots implements AutoCloseable {
    static final String ACTIVE = "policy_active";
    static final String META = "policy_meta";
    static final String DEADMAN = "policy_deadman";
    private static final long BPF_ANY = 0;
    private static final long BPF_NOEXIST = 1;
    private static final int MAX_KEY = 132;

    private final List<Map<PolicyMap, Integer>> slots = new ArrayList<>();
    private final int active;
    private final int meta;
    private final int deadman;
    private final boolean ownsFds;
    private final Pointer key = Native.allocate(MAX_KEY);
    private final Pointer next = Native.allocate(MAX_KEY);
    private final Pointer value = Native.allocate(16);
    /** Batch arguments, reused across applies (grown to the largest map written so far). */
    private byte[] packedKeys = new byte[0];
    private byte[] packedValues = new byte[0];
    private Pointer batchKeys;
    private Pointer batchValues;
    private final Pointer batchCount = Native.allocate(4);
    private final Pointer batchOpts = batchOpts();
    /** Time spent inside batch system calls since this object was made (the kernel's share of an apply). */
    private long batchNanos;

    private PolicySlots(ToIntFunction<String> fdOf, boolean ownsFds) {
        this.ownsFds = ownsFds;
        for (int slot = 0; slot < 2; slot++) {
            Map<PolicyMap, Integer> fds = new EnumMap<>(PolicyMap.class);
            for (PolicyMap m : PolicyMap.values()) {
                fds.put(m, fdOf.applyAsInt(mapName(m, slot)));
            }
            slots.add(fds);
        }
        this.active = fdOf.applyAsInt(ACTIVE);
        this.meta = fdOf.applyAsInt(META);
        this.deadman = fdOf.applyAsInt(DEADMAN);
    }

    /** The maps of a loaded maps object (the object keeps the fds). */
    static PolicySlots of(ToIntFunction<String> mapFd) {
        return new PolicySlots(mapFd, false);
    }

    /** The maps pinned under {@code pins}, opened by path: what a restarted agent (or a second process) sees. */
    static PolicySlots pinned(PinDir pins) {
        return new PolicySlots(name -> {
            int fd = libbpf().bpf_obj_get(pins.mapPin(name));
            if (fd < 0) {
                throw new IngestException("cannot open pinned map " + pins.mapPin(name) + ": "
                        + Native.strerror(Native.errno()));
            }
            return fd;
        }, true);
    }

    /** The map's name in the BPF objects: "p" + the policy map's name + "_s" + slot. */
    static String mapName(PolicyMap m, int slot) {
        return "p" + m.mapName() + "_s" + slot;
    }

    /** Every map that is pinned: both slots of each policy map, the index, the metas, the deadman. */
    static List<String> pinnedMaps() {
        List<String> names = new ArrayList<>();
        for (int slot = 0; slot < 2; slot++) {
            for (PolicyMap m : PolicyMap.values()) {
                names.add(mapName(m, slot));
            }
        }
        names.addAll(List.of(ACTIVE, META, DEADMAN));
        return names;
    }

    int activeSlot() {
        key.putInt(0, 0);
        lookup(active, "policy_active");
        return value.getInt(0) == 0 ? 0 : 1;
    }

    /** policy_active's raw value (the programs read any value but 0 as slot 1). */
    int activeValue() {
        key.putInt(0, 0);
        lookup(active, "policy_active");
        return value.getInt(0);
    }

    /** The slot's struct tl_policy_meta as its 16 bytes. */
    byte[] metaBytes(int slot) {
        key.putInt(0, slot);
        lookup(meta, "policy_meta");
        byte[] b = new byte[16];
        value.get(0, b, 0, 16);
        return b;
    }

    /**
     * Every entry the slot's copy of {@code m} holds, key (hex) to value: a walk of the map and one
     * lookup per key, for the tamper check (not the hot path). A key deleted between the walk and
     * its lookup (a concurrent writer) is left out.
     */
    Map<String, Byte> read(int slot, PolicyMap m) {
        int fd = slots.get(slot).get(m);
        Map<String, Byte> out = new java.util.HashMap<>();
        for (byte[] k : keys(fd, m.keySize())) {
            key.put(0, k, 0, k.length);
            if (libbpf().bpf_map_lookup_elem(fd, key, value) == 0) {
                out.put(java.util.HexFormat.of().formatHex(k), value.getByte(0));
            }
        }
        return out;
    }

    /** The slot's struct tl_policy_meta: version (0 when the slot holds no policy) and mode. */
    long metaVersion(int slot) {
        key.putInt(0, slot);
        lookup(meta, "policy_meta");
        return value.getLong(0);
    }

    int metaMode(int slot) {
        key.putInt(0, slot);
        lookup(meta, "policy_meta");
        return value.getInt(8);
    }

    /**
     * Empties every map of a slot and its meta; returns how many entries it removed. {@code held}
     * is what this process wrote into the slot last (null when unknown, e.g. after a restart):
     * its keys are deleted in one batch per map; whatever else a map holds then (another writer's
     * entries) is found by walking it, so the slot ends empty either way.
     */
    int clear(int slot, CompiledPolicy held) {
        put(meta, u32Key(slot), new byte[16], "policy_meta");
        int removed = 0;
        for (PolicyMap m : PolicyMap.values()) {
            int fd = slots.get(slot).get(m);
            if (held != null && !held.entries(m).isEmpty() && batch(fd, m, held.entries(m), false)) {
                removed += held.entries(m).size();
            }
            if (libbpf().bpf_map_get_next_key(fd, null, next) != 0) {
                continue;  // empty (ENOENT)
            }
            List<byte[]> keys = keys(fd, m.keySize());
            for (byte[] k : keys) {
                key.put(0, k, 0, k.length);
                if (libbpf().bpf_map_delete_elem(fd, key) != 0) {
                    throw new IngestException("cannot clear " + mapName(m, slot) + ": " + Native.strerror(Native.errno()));
                }
            }
            removed += keys.size();
        }
        return removed;
    }

    /**
     * One bpf_map_update_batch or bpf_map_delete_batch over all entries;
     * false when it did not complete (a key already there or missing, or a map type without
     * batch operations): the caller then goes entry by entry.
     */
    private boolean batch(int fd, PolicyMap m, List<MapEntry> entries, boolean insert) {
        int n = entries.size();
        stage(m, entries);
        batchCount.putInt(0, n);
        long start = System.nanoTime();
        int rc = insert ? libbpf().bpf_map_update_batch(fd, batchKeys, batchValues, batchCount, batchOpts)
                : libbpf().bpf_map_delete_batch(fd, batchKeys, batchCount, batchOpts);
        batchNanos += System.nanoTime() - start;
        return rc == 0 && batchCount.getInt(0) == n;
    }

    /**
     * Packs the entries' keys and values into the reused native buffers with one copy each: a
     * copy per entry (a native call each) cost about as much as the kernel's inserts.
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
            System.arraycopy(e.key(), 0, packedKeys, i * m.keySize(), m.keySize());
            System.arraycopy(e.value(), 0, packedValues, i * PolicyMap.VALUE_SIZE, PolicyMap.VALUE_SIZE);
        }
        batchKeys.put(0, packedKeys, 0, keyBytes);
        batchValues.put(0, packedValues, 0, valueBytes);
    }

    long batchNanos() {
        return batchNanos;
    }

    /** The number of keys the slot's copy of {@code m} holds (a walk of the map). */
    int count(int slot, PolicyMap m) {
        return keys(slots.get(slot).get(m), m.keySize()).size();
    }

    /**
     * Inserts a map's entries into the slot's copy, just emptied by {@link #clear}: a compiled
     * policy's keys are distinct, so n entries written means the map holds exactly n. One batch,
     * or entry by entry with BPF_NOEXIST where the kernel refuses the batch.
     */
    void fill(int slot, PolicyMap m, List<MapEntry> entries) {
        int fd = slots.get(slot).get(m);
        if (entries.isEmpty() || batch(fd, m, entries, true)) {
            return;
        }
        // A partial batch leaves some entries in: the entry-by-entry pass must not take them for duplicates.
        for (MapEntry e : entries) {
            byte[] k = e.key();
            key.put(0, k, 0, k.length);
            libbpf().bpf_map_delete_elem(fd, key);
        }
        for (MapEntry e : entries) {
            byte[] k = e.key();
            byte[] v = e.value();
            key.put(0, k, 0, k.length);
            value.put(0, v, 0, v.length);
            if (libbpf().bpf_map_update_elem(fd, key, value, BPF_NOEXIST) != 0) {
                throw new IngestException("cannot fill " + mapName(m, slot) + " (" + entries.size() + " entries): "
                        + Native.strerror(Native.errno()));
            }
        }
    }

    void writeMeta(int slot, byte[] tlPolicyMeta) {
        put(meta, u32Key(slot), tlPolicyMeta, "policy_meta");
    }

    /** The switch: one write of policy_active. */
    void activate(int slot) {
        put(active, u32Key(0), u32Key(slot), "policy_active");
    }

    int deadmanFd() {
        return deadman;
    }

    private List<byte[]> keys(int fd, int keySize) {
        List<byte[]> out = new ArrayList<>();
        Pointer prev = null;
        while (libbpf().bpf_map_get_next_key(fd, prev, next) == 0) {
            byte[] k = new byte[keySize];
            next.get(0, k, 0, keySize);
            out.add(k);
            key.put(0, k, 0, keySize);
            prev = key;
        }
        return out;
    }

    private void lookup(int fd, String map) {
        if (libbpf().bpf_map_lookup_elem(fd, key, value) != 0) {
            throw new IngestException("cannot read " + map + ": " + Native.strerror(Native.errno()));
        }
    }

    private void put(int fd, byte[] k, byte[] v, String map) {
        key.put(0, k, 0, k.length);
        value.put(0, v, 0, v.length);
        if (libbpf().bpf_map_update_elem(fd, key, value, BPF_ANY) != 0) {
            throw new IngestException("cannot write " + map + ": " + Native.strerror(Native.errno()));
        }
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

    private static byte[] u32Key(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Override
    public void close() {
        if (!ownsFds) {
            return;
        }
        for (Map<PolicyMap, Integer> fds : slots) {
            fds.values().forEach(LIBC::close);
        }
        LIBC.close(active);
        LIBC.close(meta);
        LIBC.close(deadman);
    }
}
