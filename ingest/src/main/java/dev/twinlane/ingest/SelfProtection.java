package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jnr.ffi.Pointer;

import dev.twinlane.records.RecordLayout;

/**
 * What lsm/bpf guards (security_lsm.bpf.c): twinlane's own maps, programs and links by id
 * (tl_protected) and its pin directory as a path prefix (tl_protected_pin). Another process's
 * bpf() that writes, deletes or freezes one of these maps, asks an fd for one of them by id, or
 * opens a pin under the directory is refused (where the BPF LSM runs) and recorded.
 *
 * Both maps are filled once everything is loaded and then frozen, as is tl_config (written once
 * at start, never again): after {@link #seal} no process, the agent included, can change them
 * through bpf(). The policy maps and the deadman are rewritten at runtime and stay writable,
 * for the agent only.
 */
public final class SelfProtection {
    static final String IDS = "tl_protected";
    static final String PIN = "tl_protected_pin";
    static final String CONFIG = "tl_config_map";
    private static final int TYPE_MAP = 1;
    private static final int TYPE_PROG = 2;
    private static final int TYPE_LINK = 4;

    private final Map<String, Integer> mapIds;
    private final Map<String, Integer> programIds;
    private final Map<String, Integer> linkIds;

    private SelfProtection(Map<String, Integer> mapIds, Map<String, Integer> programIds, Map<String, Integer> linkIds) {
        this.mapIds = Collections.unmodifiableMap(mapIds);
        this.programIds = Collections.unmodifiableMap(programIds);
        this.linkIds = Collections.unmodifiableMap(linkIds);
    }

    /** Protects every map and program of {@code objects} (the maps object first) and {@code pinDir}, then freezes. */
    static SelfProtection seal(BpfObject maps, List<BpfObject> families, Path pinDir) {
        Map<String, Integer> mapIds = new LinkedHashMap<>();
        Map<String, Integer> programIds = new LinkedHashMap<>();
        Map<String, Integer> linkIds = new LinkedHashMap<>();
        int idsFd = maps.mapFd(IDS);
        for (String m : maps.mapNames()) {
            mapIds.put(m, id(maps.mapFd(m), m));
        }
        for (BpfObject f : families) {
            for (String m : f.mapNames()) {
                mapIds.putIfAbsent(f.name() + ":" + m, id(f.mapFd(m), m));
            }
            for (String p : f.programNames()) {
                int fd = f.programFd(p);
                if (fd >= 0) {  // a program the kernel refused has no fd
                    programIds.put(p, id(fd, p));
                }
                int link = f.linkFd(p);
                if (link >= 0) {  // bpf_link_info starts with type and id too
                    linkIds.put(p, id(link, p + " link"));
                }
            }
        }
        Pointer key = Native.allocate(RecordLayout.PROTECTED_KEY.size());
        Pointer one = Native.allocate(1);
        one.putByte(0, (byte) 1);
        for (int id : new java.util.TreeSet<>(mapIds.values())) {
            write(idsFd, key, TYPE_MAP, id, one);
        }
        for (int id : programIds.values()) {
            write(idsFd, key, TYPE_PROG, id, one);
        }
        for (int id : linkIds.values()) {
            write(idsFd, key, TYPE_LINK, id, one);
        }
        if (pinDir != null) {
            byte[] p = (pinDir.toAbsolutePath() + "/").getBytes(StandardCharsets.UTF_8);
            if (p.length > RecordLayout.PREFIX_MAX) {
                throw new IngestException("pin directory " + pinDir + " is longer than " + (RecordLayout.PREFIX_MAX - 1)
                        + " bytes: self-protection could not match it");
            }
            Pointer pk = Native.allocate(RecordLayout.PREFIX_KEY.size());
            pk.putInt(0, p.length * 8);
            pk.put(4, p, 0, p.length);
            update(maps.mapFd(PIN), pk, one, PIN);
        }
        for (String m : List.of(IDS, PIN, CONFIG)) {
            if (libbpf().bpf_map_freeze(maps.mapFd(m)) != 0) {
                throw new IngestException("cannot freeze " + m + ": " + Native.strerror(Native.errno()));
            }
        }
        return new SelfProtection(mapIds, programIds, linkIds);
    }

    /** The kernel's id of a protected map (the shared maps by name, a family's own as "object:map"). */
    public int mapId(String name) {
        Integer id = mapIds.get(name);
        if (id == null) {
            throw new IllegalArgumentException("no protected map " + name);
        }
        return id;
    }

    /** The kernel's ids of the loaded programs, by name. */
    public Map<String, Integer> programIds() {
        return programIds;
    }

    /** The kernel's ids of the links attaching the programs, by program name. */
    public Map<String, Integer> linkIds() {
        return linkIds;
    }

    private static int id(int fd, String name) {
        // bpf_map_info and bpf_prog_info both start with type (u32) and id (u32)
        Pointer info = Native.allocate(8);
        Pointer len = Native.allocate(4);
        len.putInt(0, 8);
        if (libbpf().bpf_obj_get_info_by_fd(fd, info, len) != 0) {
            throw new IngestException("cannot read the id of " + name + ": " + Native.strerror(Native.errno()));
        }
        return info.getInt(4);
    }

    private static void write(int fd, Pointer key, int type, int id, Pointer one) {
        key.putInt(0, type);
        key.putInt(4, id);
        update(fd, key, one, IDS);
    }

    private static void update(int fd, Pointer key, Pointer value, String map) {
        if (libbpf().bpf_map_update_elem(fd, key, value, 0) != 0) {
            throw new IngestException("cannot write " + map + ": " + Native.strerror(Native.errno()));
        }
    }
}
