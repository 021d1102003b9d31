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
    private static final int MAX_KEY = 132;

    private final List<Map<PolicyMap, Integer>> slots = new ArrayList<>();
    private final int active;
    private final int meta;
    private final int deadman;
    private final boolean ownsFds;
    private final Pointer key = Native.allocate(MAX_KEY);
    private final Pointer next = Native.allocate(MAX_KEY);
    private final Pointer value = Native.allocate(16);
    /** The applying thread's batch buffers (a second filling thread brings its own). */
    private final MapBatch batch = new MapBatch();

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
            if (held != null && !held.entries(m).isEmpty() && batch.delete(fd, m, held.entries(m))) {
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

    /** The applying thread's batches. */
    MapBatch batch() {
        return batch;
    }

    /** The number of keys the slot's copy of {@code m} holds (a walk of the map). */
    int count(int slot, PolicyMap m) {
        return keys(slots.get(slot).get(m), m.keySize()).size();
    }

    /**
     * Inserts entries into the slot's copy of {@code m}, just emptied by {@link #clear}: a compiled
     * policy's keys are distinct, so n entries written means the map holds n more. {@code using}
     * is the calling thread's batch: two threads may fill one slot at once, with disjoint entries.
     */
    void fill(int slot, PolicyMap m, List<MapEntry> entries, MapBatch using) {
        using.insert(slots.get(slot).get(m), m, entries, mapName(m, slot));
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
