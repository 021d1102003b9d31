package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jnr.ffi.Pointer;

/** One opened libbpf bpf_object: its programs, maps and attachment links. */
final class BpfObject implements AutoCloseable {
    private final ObjectImage image;
    private final Pointer buffer;   // libbpf reads the ELF in place until load: keep it alive
    private final Pointer opts;
    @SuppressWarnings("unused")
    private final Pointer nameRef;  // opts points at it: keep it alive as long as the object
    private final Pointer obj;
    private final Map<String, Pointer> programs = new LinkedHashMap<>();
    private final Map<String, Pointer> maps = new LinkedHashMap<>();
    private final Map<String, Pointer> links = new LinkedHashMap<>();
    private boolean closed;

    private BpfObject(ObjectImage image) {
        this.image = image;
        byte[] bytes = image.bytes();
        this.buffer = Native.allocate(bytes.length);
        buffer.put(0, bytes, 0, bytes.length);
        // struct bpf_object_open_opts { size_t sz; const char *object_name; }: older fields only.
        byte[] objectName = (image.name().replace(".bpf.o", "") + "\0").getBytes(StandardCharsets.US_ASCII);
        Pointer name = Native.allocate(objectName.length);
        name.put(0, objectName, 0, objectName.length);
        this.opts = Native.allocate(16 + objectName.length);
        opts.putLong(0, 16);
        opts.putAddress(8, name.address());
        this.nameRef = name;
        this.obj = libbpf().bpf_object__open_mem(buffer, bytes.length, opts);
        if (obj == null) {
            throw new IngestException("libbpf cannot open " + image.name() + ": " + Native.strerror(Native.errno()));
        }
        for (Pointer p = libbpf().bpf_object__next_program(obj, null); p != null;
                p = libbpf().bpf_object__next_program(obj, p)) {
            programs.put(libbpf().bpf_program__name(p), p);
        }
        for (Pointer m = libbpf().bpf_object__next_map(obj, null); m != null; m = libbpf().bpf_object__next_map(obj, m)) {
            maps.put(libbpf().bpf_map__name(m), m);
        }
    }

    static BpfObject open(ObjectImage image) {
        return new BpfObject(image);
    }

    String name() {
        return image.name();
    }

    Set<String> programNames() {
        return programs.keySet();
    }

    String section(String program) {
        return libbpf().bpf_program__section_name(programs.get(program));
    }

    /** Loads only the named programs (the rest stay unloaded). */
    void autoloadOnly(Set<String> wanted) {
        for (Map.Entry<String, Pointer> e : programs.entrySet()) {
            libbpf().bpf_program__set_autoload(e.getValue(), wanted.contains(e.getKey()));
        }
    }

    /** Refuses maps declared above the configured entry limit (a hostile object could ask for gigabytes). */
    void checkMapLimits(long maxEntries, long maxRingBytes) {
        for (Map.Entry<String, Pointer> e : maps.entrySet()) {
            long entries = libbpf().bpf_map__max_entries(e.getValue()) & 0xFFFF_FFFFL;
            boolean ring = libbpf().bpf_map__type(e.getValue()) == 27; // BPF_MAP_TYPE_RINGBUF
            long limit = ring ? maxRingBytes : maxEntries;
            if (entries > limit) {
                throw new IngestException("refusing " + image.name() + ": map " + e.getKey() + " declares "
                        + entries + (ring ? " bytes" : " entries") + ", above the limit " + limit);
            }
        }
    }

    void setMaxEntries(String map, int entries) {
        Pointer m = requireMap(map);
        if (libbpf().bpf_map__set_max_entries(m, entries) != 0) {
            throw new IngestException(image.name() + ": cannot size map " + map);
        }
    }

    /** Uses an already created map instead of creating this object's own copy. */
    void reuseMap(String map, int fd) {
        Pointer m = maps.get(map);
        if (m != null && libbpf().bpf_map__reuse_fd(m, fd) != 0) {
            throw new IngestException(image.name() + ": cannot reuse map " + map + ": " + Native.strerror(Native.errno()));
        }
    }

    boolean hasMap(String map) {
        return maps.containsKey(map);
    }

    Set<String> mapNames() {
        return maps.keySet();
    }

    /** Loads the object; returns 0 or the errno of the failure. */
    int load() {
        int rc = libbpf().bpf_object__load(obj);
        return rc == 0 ? 0 : Math.abs(rc);
    }

    int mapFd(String map) {
        return libbpf().bpf_map__fd(requireMap(map));
    }

    /** The fd of the link attaching program, or -1 when it is not attached. */
    int linkFd(String program) {
        Pointer link = links.get(program);
        return link == null ? -1 : libbpf().bpf_link__fd(link);
    }

    int programFd(String program) {
        return libbpf().bpf_program__fd(programs.get(program));
    }

    /** Attaches by section (tp, tp_btf, lsm); returns 0 or an errno. */
    int attach(String program) {
        Pointer link = libbpf().bpf_program__attach(programs.get(program));
        return keep(program, link);
    }

    int attachCgroup(String program, int cgroupFd) {
        return keep(program, libbpf().bpf_program__attach_cgroup(programs.get(program), cgroupFd));
    }

    /**
     * Pins the program's link at path (bpffs): the program stays attached after this object
     * is closed, until the pin is removed. Returns 0 or an errno.
     */
    int pinLink(String program, String path) {
        Pointer link = links.get(program);
        if (link == null) {
            return 2;
        }
        int rc = libbpf().bpf_link__pin(link, path);
        return rc == 0 ? 0 : Math.abs(rc);
    }

    /**
     * Before load: the map is reused from path if pinned there, else created and pinned there. A map
     * pinned there that another version declared otherwise (limits, flags) is refused here: libbpf
     * would fail the whole load with a bare EINVAL.
     */
    void pinMap(String map, String path) {
        Pointer m = requireMap(map);
        if (Files.exists(Path.of(path))) {
            refuseUnlike(map, m, path);
        }
        if (libbpf().bpf_map__set_pin_path(m, path) != 0) {
            throw new IngestException(image.name() + ": cannot set the pin path of " + map);
        }
    }

    private static void refuseUnlike(String map, Pointer m, String path) {
        String mine = shape(libbpf().bpf_map__type(m), libbpf().bpf_map__key_size(m), libbpf().bpf_map__value_size(m),
                libbpf().bpf_map__max_entries(m), libbpf().bpf_map__map_flags(m));
        String pinned = pinnedShape(path);
        if (!pinned.equals(mine)) {
            throw new IngestException("the map " + map + " pinned at " + path + " is " + pinned + ", this agent's is "
                    + mine + " (pinned by another twinlane version); to start afresh, stop the agent and remove "
                    + Path.of(path).getParent() + ": the policy in force and what the pinned rings hold go with it");
        }
    }

    /** struct bpf_map_info up to map_flags: type, id, key_size, value_size, max_entries, map_flags. */
    private static String pinnedShape(String path) {
        int fd = libbpf().bpf_obj_get(path);
        if (fd < 0) {
            throw new IngestException("cannot open the pinned map " + path + ": " + Native.strerror(Native.errno()));
        }
        try {
            Pointer info = Native.allocate(24);
            Pointer len = Native.allocate(4);
            len.putInt(0, 24);
            if (libbpf().bpf_obj_get_info_by_fd(fd, info, len) != 0) {
                throw new IngestException("cannot read the pinned map " + path + ": " + Native.strerror(Native.errno()));
            }
            return shape(info.getInt(0), info.getInt(8), info.getInt(12), info.getInt(16), info.getInt(20));
        } finally {
            Native.LIBC.close(fd);
        }
    }

    private static String shape(int type, int keySize, int valueSize, int maxEntries, int flags) {
        return "type " + type + ", key " + keySize + " B, value " + valueSize + " B, max_entries "
                + Integer.toUnsignedString(maxEntries) + ", flags 0x" + Integer.toHexString(flags);
    }

    private int keep(String program, Pointer link) {
        if (link == null) {
            int err = Native.errno();
            return err == 0 ? 22 : err;
        }
        links.put(program, link);
        return 0;
    }

    private Pointer requireMap(String map) {
        Pointer m = maps.get(map);
        if (m == null) {
            throw new IngestException(image.name() + " has no map " + map);
        }
        return m;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pointer link : links.values()) {
            libbpf().bpf_link__destroy(link);
        }
        libbpf().bpf_object__close(obj);
    }
}
