package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jnr.ffi.Pointer;

import dev.twinlane.records.Ring;

/**
 * The kernel side of twinlane: loads the program families that this kernel
 * accepts, attaches them, and gives one {@link RingBufferReader} per ring.
 * It states exactly which hooks enforce, which only audit and which are
 * missing ({@link #hooks()}), and never claims more than it has.
 */
public final class KernelIngest implements AutoCloseable {
    static final String MAPS = "maps.bpf.o";
    static final String LSM = "security_lsm.bpf.o";
    static final String CGROUP = "security_cgroup.bpf.o";
    static final String TRACEPOINTS = "security_tp.bpf.o";
    static final String OBSERVABILITY = "observability.bpf.o";

    private final IngestConfig config;
    private final BpfObject maps;
    private final List<BpfObject> families = new ArrayList<>();
    private final List<HookStatus> hooks = new ArrayList<>();
    private final Map<Ring, RingBufferReader> readers = new EnumMap<>(Ring.class);
    private SleepingReader sleepingReader;
    private final PolicyMaps policy;
    private final PinDir pins;
    private final PolicyApplier applier;
    private final Deadman deadman;
    private SelfProtection protection;
    private final int possibleCpus;
    private final long startedBootNanos = KernelClock.bootNanos();
    private final LoggedDrops loggedDrops;
    /** The drop counters when this agent made or took over the maps. */
    private final long[] dropsBefore = new long[Ring.values().length];

    private KernelIngest(IngestConfig config) {
        this.config = config;
        raiseMemlock();
        this.pins = config.pinDir == null ? null : PinDir.prepare(config.pinDir);
        this.maps = createMaps();
        this.possibleCpus = libbpf().libbpf_num_possible_cpus();
        this.policy = new PolicyMaps(new PolicyMaps.Fds(maps.mapFd("tl_config_map"), maps.mapFd("deny_inode"),
                maps.mapFd("deny_ipv4"), maps.mapFd("deny_ipv6"), maps.mapFd("deny_port"),
                maps.mapFd("watch_inode"), maps.mapFd("watch_prefix")));
        policy.configure(config, LIBC.getpid());
        this.applier = new PolicyApplier(PolicySlots.of(maps::mapFd));
        this.deadman = new Deadman(maps.mapFd(PolicySlots.DEADMAN));
        this.loggedDrops = new LoggedDrops(maps.mapFd("drops_logged"));
        if (loggedDrops.count(Ring.SECURITY) == 0 && loggedDrops.sinceBootNs(Ring.SECURITY) == 0) {
            loggedDrops.logged(Ring.SECURITY, 0, startedBootNanos);   // new maps: no drop before now
        }
        for (Ring r : Ring.values()) {
            dropsBefore[r.id()] = drops(r);
        }
    }

    /** Loads and attaches everything this kernel accepts. Fails only when no map can be created. */
    public static KernelIngest start(IngestConfig config) {
        KernelIngest k = new KernelIngest(config);
        try {
            k.loadFamilies();
            k.protection = SelfProtection.seal(k.maps, k.families, k.pins == null ? null : k.pins.dir());
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    private BpfObject createMaps() {
        BpfObject m = BpfObject.open(ObjectImage.packaged(MAPS));
        m.checkMapLimits(config.maxMapEntries, config.maxRingBytes);
        for (Ring r : Ring.values()) {
            if (pins != null) {
                config.ringBytes(r, RingPins.size(pins, r, config.ringBytes(r)));
            }
            m.setMaxEntries(r.mapName(), config.ringBytes(r));
        }
        if (pins != null) {
            // A restarted agent reuses these (libbpf checks type, sizes and flags), so the policy in force stays,
            // and what the pinned programs recorded while no agent ran is read from the rings and counters.
            PolicySlots.pinnedMaps().forEach(name -> m.pinMap(name, pins.mapPin(name)));
            RingPins.MAPS.forEach(name -> m.pinMap(name, pins.mapPin(name)));
        }
        int err = m.load();
        if (err != 0) {
            m.close();
            throw new IngestException("cannot create the BPF maps: " + Native.strerror(err)
                    + (err == 1 ? "; twinlane needs root (CAP_BPF, CAP_PERFMON)" : ""));
        }
        config.audit.event("load", "object", MAPS, "result", "ok");
        return m;
    }

    private void loadFamilies() {
        Map<String, Integer> shared = new HashMap<>();
        for (String name : maps.mapNames()) {
            if (!name.contains(".")) {  // .rodata/.bss are per object
                shared.put(name, maps.mapFd(name));
            }
        }
        FamilyLoader loader = new FamilyLoader(shared, config);
        HookPlan plan = new HookPlan(config, hooks);

        Attached lsm = attachFamily(loader, LSM, plan.lsmPrograms(this::programsOf));
        plan.afterLsm(lsm.ok, lsm.errors);
        Attached cg = attachFamily(loader, CGROUP, plan.cgroupPrograms(this::programsOf));
        plan.afterCgroup(cg.ok, cg.errors);
        Attached tp = attachFamily(loader, TRACEPOINTS, plan.tracepointPrograms(this::programsOf));
        plan.afterTracepoints(tp.ok, tp.errors);
        Attached obs = attachFamily(loader, OBSERVABILITY, plan.observabilityPrograms(this::programsOf));
        plan.afterObservability(obs.ok, obs.errors);
    }

    /** section name per program, or empty when the object is not packaged. */
    private Map<String, String> programsOf(String objectName) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (!ObjectImage.buildDigests().containsKey(objectName)) {
            return out;
        }
        try (BpfObject o = BpfObject.open(ObjectImage.packaged(objectName))) {
            for (String p : o.programNames()) {
                out.put(p, o.section(p));
            }
        }
        return out;
    }

    private record Attached(Set<String> ok, Map<String, Integer> errors) {
    }

    private Attached attachFamily(FamilyLoader loader, String objectName, Map<String, String> wanted) {
        Set<String> ok = new LinkedHashSet<>();
        Map<String, Integer> errors = new HashMap<>();
        if (wanted.isEmpty()) {
            return new Attached(ok, errors);
        }
        FamilyLoader.Result r = loader.load(ObjectImage.packaged(objectName), wanted.keySet());
        errors.putAll(r.errors());
        if (r.object() == null) {
            return new Attached(ok, errors);
        }
        families.add(r.object());
        int cgroupFd = -1;
        for (Map.Entry<String, String> p : wanted.entrySet()) {
            if (errors.getOrDefault(p.getKey(), 1) != 0) {
                continue;
            }
            int err;
            if (p.getValue().startsWith("cgroup/")) {
                if (cgroupFd < 0) {
                    cgroupFd = openCgroupRoot();
                }
                err = cgroupFd < 0 ? 2 : r.object().attachCgroup(p.getKey(), cgroupFd);
            } else {
                err = r.object().attach(p.getKey());
            }
            config.audit.event("attach", "object", objectName, "program", p.getKey(), "section", p.getValue(),
                    "result", err == 0 ? "ok" : Native.strerror(err));
            if (err == 0 && pins != null && p.getValue().startsWith("cgroup/")) {
                pinLink(r.object(), p.getKey());
            }
            if (err == 0) {
                ok.add(p.getKey());
            } else {
                errors.put(p.getKey(), err);
            }
        }
        if (cgroupFd >= 0) {
            LIBC.close(cgroupFd);
        }
        return new Attached(ok, errors);
    }

    /**
     * Pins a cgroup program's link so it keeps enforcing while no agent runs. A pin left by the
     * agent before this one is replaced after the new program is attached: the hook is never
     * without a program (for a moment both run and a connect is recorded twice).
     */
    private void pinLink(BpfObject object, String program) {
        Path pin = pins.linkPin(program);
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new IngestException("cannot replace the pinned link " + pin + ": " + e.getMessage());
        }
        int err = object.pinLink(program, pin.toString());
        config.audit.event("pin", "program", program, "path", pin.toString(),
                "result", err == 0 ? "ok" : Native.strerror(err));
        if (err != 0) {
            throw new IngestException("cannot pin " + program + " at " + pin + ": " + Native.strerror(err));
        }
    }

    private int openCgroupRoot() {
        Path root = config.cgroupRoot != null ? config.cgroupRoot : cgroup2Mount();
        if (root == null) {
            config.audit.event("attach", "cgroup", "none", "result", "no cgroup v2 hierarchy is mounted");
            return -1;
        }
        return LIBC.open(root.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
    }

    /** The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
    public static Path cgroup2Mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    return Path.of(f[1]);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static void raiseMemlock() {
        // Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK; later ones ignore it.
        Pointer rlim = Native.allocate(16);
        rlim.putLong(0, -1L);
        rlim.putLong(8, -1L);
        LIBC.setrlimit(LibC.RLIMIT_MEMLOCK, rlim);
    }

    /** The reader of one ring; each ring must be read by a single thread. */
    public synchronized RingBufferReader reader(Ring ring) {
        return readers.computeIfAbsent(ring,
                r -> RingBufferReader.open(r.label(), maps.mapFd(r.mapName()), config.ringBytes(r)));
    }

    /** The security reader's asleep flag (see {@link SleepingReader}); for the ring's one reader thread. */
    public synchronized SleepingReader sleepingReader() {
        if (sleepingReader == null) {
            sleepingReader = new SleepingReader(maps.mapFd("reader_state"));
        }
        return sleepingReader;
    }

    public List<HookStatus> hooks() {
        return List.copyOf(hooks);
    }

    public PolicyMaps policy() {
        return policy;
    }

    /** The deadman switch the agent's heartbeat renews (pinned with the policy maps when a pin directory is set). */
    public Deadman deadman() {
        return deadman;
    }

    /** What lsm/bpf guards against other processes (ids of twinlane's maps and programs); its maps and tl_config are frozen. */
    public SelfProtection selfProtection() {
        return protection;
    }

    /** Applies compiled policies to the slotted policy maps (pinned when a pin directory is set). */
    public PolicyApplier policyApplier() {
        return applier;
    }

    public IngestConfig config() {
        return config;
    }

    /**
     * Records the kernel could not reserve space for, summed over CPUs, since the counters were
     * made: with a pin directory, by the first agent that pinned them ({@link #dropsBefore}).
     */
    public long drops(Ring ring) {
        Pointer key = Native.allocate(4);
        key.putInt(0, ring.id());
        Pointer values = Native.allocate(8 * Math.max(possibleCpus, 1));
        if (libbpf().bpf_map_lookup_elem(maps.mapFd("drops"), key, values) != 0) {
            throw new IngestException("cannot read drop counters: " + Native.strerror(Native.errno()));
        }
        long sum = 0;
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            sum += values.getLong(8L * cpu);
        }
        return sum;
    }

    /** CLOCK_BOOTTIME when this agent made or took over the maps. */
    public long startedBootNanos() {
        return startedBootNanos;
    }

    /** What the security log holds of the kernel's drops (pinned with the rings: earlier agents' share too). */
    public LoggedDrops loggedDrops() {
        return loggedDrops;
    }

    /** The ring's drop counter when this agent made or took over the maps ({@link #drops} counts on from it). */
    public long dropsBefore(Ring ring) {
        return dropsBefore[ring.id()];
    }

    /**
     * Detaches and unloads every program but keeps the maps and readers, so a
     * shutdown can read the last records and drop counts after nothing new can come.
     * Programs whose links are pinned (a pin directory is set) stay attached: they
     * keep enforcing the policy while no agent runs (PinDir.remove ends them).
     */
    public synchronized void detach() {
        for (BpfObject f : families) {
            f.close();
            config.audit.event("detach", "object", f.name(), "result", "ok");
        }
        families.clear();
    }

    /** The fd of a shared map, for tools and benchmarks. */
    public int mapFd(String name) {
        return maps.mapFd(name);
    }

    @Override
    public synchronized void close() {
        detach();
        if (sleepingReader != null) {
            sleepingReader.close();
        }
        readers.values().forEach(RingBufferReader::close);
        readers.clear();
        maps.close();
    }
}
