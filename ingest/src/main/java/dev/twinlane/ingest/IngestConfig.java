package dev.twinlane.ingest;

import java.nio.file.Path;

import dev.twinlane.records.Ring;

/** Settings of the kernel side; defaults suit `./twinlane run` with no file. */
public final class IngestConfig {
    public enum Mode { AUDIT, ENFORCE }

    int securityRingBytes = 8 << 20;
    int observabilityRingBytes = 8 << 20;
    Mode mode = Mode.ENFORCE;
    boolean recordAllOpens;
    boolean openTracepoint;
    int syscallSampleRate;
    long cgroupFilter;
    WakeupPolicy securityWakeup = WakeupPolicy.SECURITY_DEFAULT;
    WakeupPolicy observabilityWakeup = WakeupPolicy.OBSERVABILITY_DEFAULT;
    long maxMapEntries = 1 << 20;
    long maxRingBytes = 1 << 30;
    /** The cgroup v2 directory cgroup programs attach to; null finds the mounted hierarchy. */
    Path cgroupRoot;
    Path lsmList = Path.of("/sys/kernel/security/lsm");
    /** Where the policy maps and the cgroup programs' links are pinned (bpffs); null pins nothing. */
    Path pinDir;
    AuditLog audit = AuditLog.stderr();

    public IngestConfig ringBytes(Ring ring, int bytes) {
        if (Integer.bitCount(bytes) != 1 || bytes < 4096) {
            throw new IllegalArgumentException("ring size must be a power of two of at least 4096 bytes: " + bytes);
        }
        if (ring == Ring.SECURITY) {
            securityRingBytes = bytes;
        } else {
            observabilityRingBytes = bytes;
        }
        return this;
    }

    public int ringBytes(Ring ring) {
        return ring == Ring.SECURITY ? securityRingBytes : observabilityRingBytes;
    }

    public IngestConfig mode(Mode m) {
        mode = m;
        return this;
    }

    public Mode mode() {
        return mode;
    }

    public IngestConfig recordAllOpens(boolean all) {
        recordAllOpens = all;
        return this;
    }

    /**
     * Where the BPF LSM cannot see opens, attach the openat syscall tracepoints so that watched
     * opens are recorded (audit only). Off by default: that tracepoint runs on every open of every
     * process on the host, watched or not, which costs an open+close loop far more than any other
     * hook does (bench/README.md, "Per-event cost"). {@link #recordAllOpens} attaches it anyway.
     */
    public IngestConfig openTracepoint(boolean on) {
        openTracepoint = on;
        return this;
    }

    boolean wantsOpenTracepoint() {
        return openTracepoint || recordAllOpens;
    }

    /**
     * Record 1 in {@code n} syscalls with their latency; 0 (the default) turns sampling off and
     * leaves sys_enter/sys_exit unattached: attached, they run on every system call of the host,
     * sampled or not.
     */
    public IngestConfig syscallSampleRate(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("syscall sample rate must be >= 0: " + n);
        }
        syscallSampleRate = n;
        return this;
    }

    public int syscallSampleRate() {
        return syscallSampleRate;
    }

    /** When the kernel wakes the reader of {@code ring}, and how long that reader may sleep. */
    public IngestConfig wakeup(Ring ring, WakeupPolicy policy) {
        if (ring == Ring.SECURITY) {
            securityWakeup = policy;
        } else {
            observabilityWakeup = policy;
        }
        return this;
    }

    public WakeupPolicy wakeup(Ring ring) {
        return ring == Ring.SECURITY ? securityWakeup : observabilityWakeup;
    }

    /** The watermark written to tl_config for {@code ring}: 0 wakes per record. */
    int wakeupBytes(Ring ring) {
        return wakeup(ring).watermarkBytes(ringBytes(ring));
    }

    /** Observability records only from this cgroup id; 0 for every cgroup. */
    public IngestConfig cgroupFilter(long cgroupId) {
        cgroupFilter = cgroupId;
        return this;
    }

    public IngestConfig mapLimits(long maxEntries, long maxRingBytes) {
        this.maxMapEntries = maxEntries;
        this.maxRingBytes = maxRingBytes;
        return this;
    }

    public IngestConfig audit(AuditLog log) {
        audit = log;
        return this;
    }

    /**
     * Pins the policy maps and the cgroup programs' links under {@code dir} (on bpffs, e.g.
     * /sys/fs/bpf/twinlane): a restarted agent finds the applied policy there, and the cgroup
     * programs keep enforcing it while no agent runs. null (the default) pins nothing.
     */
    public IngestConfig pinDir(Path dir) {
        pinDir = dir;
        return this;
    }

    public Path pinDir() {
        return pinDir;
    }

    public IngestConfig lsmList(Path p) {
        lsmList = p;
        return this;
    }
}
