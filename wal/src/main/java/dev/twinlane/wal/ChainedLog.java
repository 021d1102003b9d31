package dev.twinlane.wal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import dev.twinlane.wal.NativeCalls.LibC;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.EpochSchedule;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.threads.BusyTimedPauser;

/**
 * An HMAC-chained, forward-secure write-ahead log of byte payloads on Chronicle Queue.
 * Open with {@link #security}, {@link #observability} or {@link #builder}, append through
 * {@link #appender()}, read durable records with {@link #reader()}, check with
 * {@link ChainVerifier}. One writer per directory, enforced with flock(2) on the directory itself
 * (an open file description's lock: no file deletion or other close releases it; a second process
 * and a second open in the same JVM are both refused) and, as before, a lock on DIR/wal.lock.
 *
 * <p>"Durable" means: the record and every record before it were written to their cycle file
 * and an fdatasync(2) of that file returned, and, for a record in a new cycle file, the
 * directory was fsync'ed after the file was created. See wal/README.md.
 */
public final class ChainedLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");
    static final String LOCK_FILE = "wal.lock";
    static final String META_FILE = "wal.meta";
    static final String SEAL_FILE = "seal.latest";

    /** libc through jnr-ffi; null when unavailable. */
    static final LibC LIBC = NativeCalls.LIBC;

    static {
        // Chronicle's DiskSpaceMonitor logs "your disk ... is almost full, warning: the JVM may
        // crash" every second while less than 200 MB (or 5%) is free, from the first mapped file
        // on: on a small file system it floods the log from the start, and on a full one it says
        // nothing the log does not say once (SpaceGuard reserves blocks ahead, so a full disk is
        // a WalException.Full before Chronicle writes, never a crash). Its switch is read once,
        // when Chronicle first maps a file, so it is set before any queue is built; an explicit
        // -Dchronicle.disk.monitor.disable=false keeps the monitor.
        if (System.getProperty("chronicle.disk.monitor.disable") == null) {
            System.setProperty("chronicle.disk.monitor.disable", "true");
        }
    }

    private final Builder config;
    private final Path dir;
    private final String name;
    /** flock(2) on the log directory itself: deleting wal.lock (or any file) does not release it. */
    private final int dirLockFd;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path identityFile;
    private final String bootId = Identity.bootId();
    private final Object identityLock = new Object();
    /** Durable seals, newest first, as the identity file keeps them (guarded by identityLock). */
    private List<DurableSeal> durableSeals = List.of();
    /** SEAL records written, oldest first, until they are durable and join {@link #durableSeals}. */
    private final ConcurrentLinkedQueue<DurableSeal> sealsWritten = new ConcurrentLinkedQueue<>();
    private final SingleChronicleQueue queue;
    private final WalMetrics metrics;
    private final Syncer syncer;
    private final ChainAppender appender;
    private final MerkleLog merkle;
    private final Genesis genesis;
    private final String recovery;
    private final Path keyStateFile;
    private TailRecovery.Result tail;
    /** When the newest seal became durable, or the log was opened (wall clock ms; read by the seal age meter). */
    private volatile long lastSealDurableMillis = System.currentTimeMillis();
    private volatile boolean closed;
    /** I/O problems and a failed write, for status(); the appender and the syncer report to it. */
    final LogHealth health;

    /** Settings; defaults are those of the security log. */
    public static final class Builder {
        final Path dir;
        KeyRing keys;
        SealKey sealKey;
        long sealEveryRecords = 100_000;
        long sealEveryNanos = Duration.ofSeconds(1).toNanos();
        long recordsPerEpoch = 65_536;
        long epochNanos = Duration.ofSeconds(60).toNanos();
        long syncIntervalNanos = Duration.ofMillis(100).toNanos();
        boolean syncEachRecord;
        RollCycle rollCycle = RollCycles.FAST_DAILY;
        int maxPayload = 64 * 1024;
        String hostId;
        MeterRegistry registry;
        String name = "security";
        LongConsumer durableListener;
        Runnable syncerSetup = () -> { };
        Runnable backgroundSetup = () -> { };
        WalClock clock = WalClock.SYSTEM;
        Path sealFile;
        Path keyState;
        Path identityFile;
        String startNewLogReason;
        boolean merkleTree = true;
        Consumer<Checkpoint> checkpointListener;

        Builder(Path dir) {
            this.dir = dir;
        }

        /**
         * Root MAC key(s): needed to create a log, or to (re)create its key state file; otherwise
         * leave them out and keep them off this host: the writer starts from {@link #keyState}.
         */
        public Builder keys(KeyRing ring) {
            this.keys = ring;
            return this;
        }

        /** Ed25519 seal key; without one the log writes no SEAL records. */
        public Builder sealKey(SealKey key) {
            this.sealKey = key;
            return this;
        }

        /** A SEAL after {@code records} records or {@code interval} (if records came), whichever first. */
        public Builder sealEvery(long records, Duration interval) {
            this.sealEveryRecords = records;
            this.sealEveryNanos = interval.toNanos();
            return this;
        }

        /** Key evolution by record count and/or time (0 disables one); fixed at log creation. */
        public Builder epochEvery(long records, Duration interval) {
            this.recordsPerEpoch = records;
            this.epochNanos = interval.toNanos();
            return this;
        }

        /** Group commit: one fdatasync per interval covers every record appended since the last. */
        public Builder syncEvery(Duration interval) {
            this.syncIntervalNanos = interval.toNanos();
            this.syncEachRecord = false;
            return this;
        }

        /** Strict mode: append returns only after its record is durable. */
        public Builder syncEachRecord() {
            this.syncEachRecord = true;
            return this;
        }

        /** Tests roll cycle files fast with it; the log's files are daily (FAST_DAILY) otherwise. */
        Builder rollCycle(RollCycle cycle) {
            this.rollCycle = cycle;
            return this;
        }

        public Builder maxPayload(int bytes) {
            this.maxPayload = bytes;
            return this;
        }

        /** Bound into the genesis; default /etc/machine-id, else the host name. */
        public Builder hostId(String id) {
            this.hostId = id;
            return this;
        }

        /** Where meters go; default a private SimpleMeterRegistry. */
        public Builder meterRegistry(MeterRegistry r) {
            this.registry = r;
            return this;
        }

        /** Tag of this log's meters and thread, e.g. "security" or "observability". */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** Called (on the syncer thread) with each new highest durable seq. */
        public Builder onDurable(LongConsumer listener) {
            this.durableListener = listener;
            return this;
        }

        /**
         * Runs first on the syncer thread, e.g. to raise its scheduling priority: the syncer's
         * wake-up being late under CPU load is what a record's durability deadline pays for.
         */
        public Builder syncerSetup(Runnable setup) {
            this.syncerSetup = setup;
            return this;
        }

        /**
         * Runs first on each of the log's threads that no append or sync waits for (the Merkle
         * tree, the page-cache pretoucher), e.g. to lower their priority: on a busy host they
         * should take idle CPU time, not the traced workload's.
         */
        public Builder backgroundSetup(Runnable setup) {
            this.backgroundSetup = setup;
            return this;
        }

        /** For tests, which move time with it (hooks for tests stay off the public builder). */
        Builder clock(WalClock c) {
            this.clock = c;
            return this;
        }

        /** Where the latest durable seal is written; default DIR/seal.latest. */
        Builder sealFile(Path f) {
            this.sealFile = f;
            return this;
        }

        /**
         * The writer's key state file (log id, key id, epoch, current epoch key); default
         * DIR/key.state. Without {@link #keys} the writer starts from it; with them it rewrites it.
         */
        Builder keyState(Path f) {
            this.keyState = f;
            return this;
        }

        /**
         * Where the writer remembers which log the directory holds (log id, what was durable, the
         * latest seal, whether it was closed cleanly); default {@code DIR.identity} beside the
         * directory. Must be outside the directory: deleting or swapping the directory must not
         * take it along. With it the writer refuses to start a new chain where a log was.
         */
        public Builder identityFile(Path f) {
            this.identityFile = f;
            return this;
        }

        /**
         * Whether the log keeps its RFC 6962 Merkle tree (DIR/merkle.leaves) and, with a seal key,
         * writes a signed checkpoint (DIR/checkpoint.latest) for each durable SEAL; on by default
         * (off in {@link #observability}). The tree is kept by its own thread, off the append path.
         */
        public Builder merkleTree(boolean on) {
            this.merkleTree = on;
            return this;
        }

        /** Called (on the log's wal-merkle thread) with each checkpoint once it is written. */
        Builder onCheckpoint(Consumer<Checkpoint> listener) {
            this.checkpointListener = listener;
            return this;
        }

        /** Opens (creating or recovering) the log; a problem is one line in a WalException. */
        public ChainedLog build() {
            return new ChainedLog(this);
        }

        /**
         * Opens the log as {@link #build} does, except where build would refuse to start because
         * the log is damaged (a record that does not continue the chain where it must, unknown
         * bytes after it), missing, shorter than it was durable, or another log than the one
         * remembered: then it keeps what is there, untouched, in {@code DIR/retired-TIME-LOGID/},
         * and starts a new log whose record after the GENESIS (NEW_LOG) names the previous log,
         * its last good seq, the problem and {@code reason}. Needs the root key ({@link #keys}).
         * A log that is fine just continues. An operator's decision at one start (the agent's
         * --start-new-log REASON), so it is a way to open, not a setting the builder keeps.
         */
        public ChainedLog buildStartingNewLogIfDamaged(String reason) {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("starting a new log needs a reason (it is recorded in the log)");
            }
            startNewLogReason = reason.trim();
            try {
                return new ChainedLog(this);
            } finally {
                startNewLogReason = null;
            }
        }
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** The security lane: group commit every 100 ms, seals every 100k records or 1 s. */
    public static Builder security(Path dir) {
        return new Builder(dir).name("security");
    }

    /** The observability lane: group commit every second. */
    public static Builder observability(Path dir) {
        return new Builder(dir).name("observability").syncEvery(Duration.ofSeconds(1))
                .sealEvery(1_000_000, Duration.ofSeconds(10)).merkleTree(false);
    }

    private ChainedLog(Builder b) {
        this.config = b;
        this.dir = b.dir.toAbsolutePath().normalize();
        this.name = b.name;
        this.health = new LogHealth(b.name, dir);
        this.keyStateFile = (b.keyState != null ? b.keyState : dir.resolve(KeyState.FILE)).toAbsolutePath();
        this.identityFile = (b.identityFile != null ? b.identityFile
                : dir.resolveSibling(dir.getFileName() + ".identity")).toAbsolutePath().normalize();
        LogOpening o = new LogOpening(b, dir, keyStateFile, identityFile, sealFile(), bootId).open();
        this.dirLockFd = o.dirLockFd;
        this.lockChannel = o.lockChannel;
        this.lock = o.lock;
        KeyState state = o.state;
        Identity identity = o.identity;
        String identityProblem = o.identityProblem;
        TailRecovery.Result r = o.tail;
        List<String> removed = o.removed;
        NewLog predecessor = o.predecessor;
        Path retired = o.retired;
        int maxRecord = o.maxRecord;
        int maxDocument = o.maxDocument;
        SingleChronicleQueue q = null;
        try {
            AppendTime appendTime = new AppendTime();
            q = SingleChronicleQueueBuilder.binary(dir).rollCycle(b.rollCycle).timeProvider(appendTime).build();
            this.queue = q;
            try (TableStoreWriteLock stale = new TableStoreWriteLock(q.metaStore(), BusyTimedPauser::new, 0L)) {
                stale.forceUnlockIfProcessIsDead(); // a writer killed mid-append leaves Chronicle's lock held
            }
            SpaceGuard.reserveWhole(dir.resolve("metadata.cq4t"));
            this.metrics = new WalMetrics(b.registry != null ? b.registry : new SimpleMeterRegistry(), name, this);
            health.countIn(metrics);
            SpaceGuard space = new SpaceGuard(dir, maxRecord, b.rollCycle.defaultIndexCount(), name, b.backgroundSetup);
            this.syncer = new Syncer(this, b.syncIntervalNanos, b.durableListener, r.lastSeq, b.syncerSetup);
            Genesis g = r.genesis;
            if (g == null && state != null) {
                throw new WalException(dir + " holds no log; creating one needs the root key file (the key state file "
                        + keyStateFile + " only continues an existing log)");
            }
            if (g == null) {
                byte[] logId = new byte[16];
                new SecureRandom().nextBytes(logId);
                g = new Genesis(logId, b.clock.wallNanos(), b.recordsPerEpoch, b.epochNanos,
                        b.sealKey == null ? null : b.sealKey.publicKey(), hostId(b));
            }
            this.genesis = g;
            this.tail = r;
            List<DurableSeal> known = identity != null && r.genesis != null && Arrays.equals(identity.logId, r.genesis.logId())
                    ? identity.seals : List.of();
            if (r.newestSeal != null && (known.isEmpty() || known.get(0).recordSeq < r.newestSeal.recordSeq)) {
                known = Identity.keep(known, r.newestSeal, TailRecovery.TAIL);
            }
            this.durableSeals = known;
            this.appender = new ChainAppender(this, q, appendTime, b, g, space, q.epoch(),
                    b.rollCycle.lengthInMillis());
            this.merkle = b.merkleTree ? new MerkleLog(this, g, b.sealKey, b.checkpointListener, maxDocument, b.backgroundSetup) : null;
            EpochKeys startKeys = r.keys;
            if (r.empty()) {
                startKeys = new EpochKeys();
                startKeys.start(b.keys.newest(), g.logId());
            } else if (startKeys.epoch() < r.lastEpoch) {
                startKeys.evolveTo(r.lastEpoch);
            }
            if (state != null) {
                EpochSchedule sch = g.schedule();
                int needed = sch.epoch(r.lastSeq + 1,
                        sch.nextTimePart(r.lastEpoch - sch.countPart(r.lastSeq), b.clock.wallNanos()));
                if (state.epoch() > needed) {
                    startKeys.erase();
                    throw new WalException("key state file " + keyStateFile + " is at epoch " + state.epoch()
                            + ", ahead of the log in " + dir + " (its next record, seq " + (r.lastSeq + 1) + ", needs epoch "
                            + needed + "): it is not this log's state; restore the right one or start once with the root key file");
                }
            }
            int stateEpoch = state == null ? -1 : state.epoch();
            if (state != null) {
                state.keys.erase();
            }
            if (state == null || startKeys.epoch() != stateEpoch) {
                // records of earlier epochs must be durable before the state file forgets their key
                syncer.initialSync(r.newestFiles);
                saveKeyState(startKeys, g.logId());
            }
            if (state == null) {
                LOG.log(System.Logger.Level.WARNING, "wal " + name + " " + dir + ": wrote the key state file " + keyStateFile
                        + " (key " + KeyRing.idHex(startKeys.keyId()) + ", epoch " + startKeys.epoch()
                        + "); the writer restarts from it: move the root key file(s) " + b.keys.files()
                        + " off this host (the verifier needs them)");
            }
            String event = null;
            if (r.empty()) {
                appender.resume(0, g.mac0(), 0, startKeys);
                appender.writeGenesis(g);
                if (predecessor != null) {
                    long seq = appender.writeNewLog(predecessor);
                    event = "NEW_LOG record at seq " + seq + " names the previous log " + predecessor.previousLogIdHex()
                            + " (last good seq " + predecessor.previousLastSeq() + ", " + predecessor.causeName() + ")"
                            + (retired == null ? "" : ", whose files are in " + retired);
                }
                KeyFiles.writeAtomically(dir.resolve(META_FILE), g.describe().getBytes(StandardCharsets.UTF_8), false);
            } else {
                appender.resume(r.lastSeq, r.lastMac, r.lastEpoch, startKeys, r.lastKind == Kinds.SEAL);
                if (!r.cleanClose) {
                    int flags = Kinds.RECOVERY_NOT_CLOSED | (r.newBoot ? Kinds.RECOVERY_NEW_BOOT : 0)
                            | (identity == null ? Kinds.RECOVERY_NO_IDENTITY : 0);
                    String at;
                    try {
                        at = "at seq " + appender.writeRecovery((int) Math.min(Integer.MAX_VALUE, r.tornDocs), r.tornBytes,
                                r.tornSha256(), r.tornBytesZeroed, r.knownDurable, flags);
                    } catch (WalException.Full full) {
                        // a full disk must not keep the agent (and its kernel enforcement) from starting
                        appender.deferRecovery((int) Math.min(Integer.MAX_VALUE, r.tornDocs), r.tornBytes,
                                r.tornSha256(), r.tornBytesZeroed, r.knownDurable, flags);
                        at = "deferred to the first append that finds room (" + full.getMessage() + ")";
                    }
                    event = "RECOVERY record " + at + " (last seq kept " + r.lastSeq + ", known durable before "
                            + r.knownDurable + (identity == null ? ", no identity file " + identityFile
                            + (identityProblem != null ? " (" + identityProblem + ")" : "") : "") + ")";
                }
            }
            this.recovery = r.summary() + (event == null ? "" : "; " + event) + (removed.isEmpty() ? ""
                    : "; removed unfinished cycle file(s) " + removed + " (a writer was killed while creating them; they hold no records)");
            boolean eventful = event != null || !removed.isEmpty();
            LOG.log(eventful ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "wal " + name + " " + dir + ": " + recovery);
            syncer.initialSync(r.newestFiles);
            // from here on the identity says "open": a start that does not find "closed" knows it was not
            try {
                writeIdentity(Identity.OPEN, 0, null, syncer.durableSeq());
            } catch (IOException full) {
                // a full disk: the previous identity stays (it names this log, at an earlier seq);
                // the next seal file rewrites it once there is room
                LOG.log(System.Logger.Level.WARNING, "wal " + name + " " + dir + ": cannot update the identity file "
                        + identityFile + ": " + full.getMessage());
            }
            syncer.start();
            if (merkle != null) {
                merkle.start();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(q);
            releaseLock();
            if (e instanceof WalException) {
                throw (WalException) e;
            }
            throw new WalException("cannot open the log in " + dir + ": " + (e instanceof IOException ? e.getMessage()
                    : TailRecovery.diagnose(dir, e) + "; run `twinlane verify`"), e);
        }
    }

    /** The SEAL record of {@code s} is durable and the seal file says so: the identity keeps it too. */
    void sealDurable(DurableSeal s, long durable) {
        lastSealDurableMillis = System.currentTimeMillis();
        synchronized (identityLock) {
            // every seal written up to here, not only the newest: the identity keeps one far enough back
            DurableSeal w;
            while ((w = sealsWritten.peek()) != null && w.recordSeq <= s.recordSeq) {
                sealsWritten.poll();
                if (w.recordSeq < s.recordSeq) {
                    durableSeals = Identity.keep(durableSeals, w, TailRecovery.TAIL);
                }
            }
            durableSeals = Identity.keep(durableSeals, s, TailRecovery.TAIL);
        }
        try {
            writeIdentity(Identity.OPEN, 0, null, Math.max(durable, s.recordSeq));
        } catch (IOException e) {
            health.ioFailure("seal-file", new WalException("cannot write the identity file " + identityFile + ": " + e.getMessage(), e));
        }
    }

    private void writeIdentity(String state, long lastSeq, byte[] lastMac, long durable) throws IOException {
        synchronized (identityLock) {
            new Identity(identityFile, genesis.logId(), state, bootId, durable, lastSeq, lastMac, durableSeals, dir.toString())
                    .write();
        }
    }

    private static String hostId(Builder b) {
        if (b.hostId != null) {
            return b.hostId;
        }
        try {
            Path mid = Path.of("/etc/machine-id");
            if (Files.isReadable(mid)) {
                String id = Files.readString(mid).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Where the data of {@code cycleFile} ends, as recovery found it (0 if it did not look at it). */
    long tailDataEnd(Path cycleFile) {
        return tail != null && tail.newestFile != null
                && cycleFile.toAbsolutePath().normalize().equals(tail.newestFile.toAbsolutePath().normalize())
                ? tail.newestEnd : 0;
    }

    /** The single appender of this log. */
    public ChainAppender appender() {
        return appender;
    }

    /** A reader of durable records, from the start. Not thread-safe; one per thread. */
    public ChainReader reader() {
        return new ChainReader(this, queue.createTailer());
    }

    /** When the newest seal became durable, or the log was opened when none has since (wall clock ms). */
    public long lastSealMillis() {
        return lastSealDurableMillis;
    }

    public long appendedSeq() {
        return appender == null ? 0 : appender.appendedSeq();
    }

    /** Highest seq that is durable (see the class comment); exporters ship only up to here. */
    public long durableSeq() {
        return syncer == null ? 0 : syncer.durableSeq();
    }

    /**
     * The latest signed checkpoint (C2SP tlog-checkpoint as a signed note) this log wrote, or
     * null (none yet, no seal key, or no tree). See {@link dev.twinlane.wal.proof}.
     */
    public Checkpoint checkpoint() {
        return merkle == null ? null : merkle.latest();
    }

    MerkleLog merkle() {
        return merkle;
    }

    /** The durable seq moved: the tree's thread may hash up to it. */
    void durableMoved() {
        MerkleLog m = merkle;
        if (m != null) {
            m.wake();
        }
    }

    /** Durable seals known (with their record positions), newest first. */
    List<DurableSeal> durableSealsSnapshot() {
        synchronized (identityLock) {
            return durableSeals;
        }
    }

    /** Forces a group commit now and returns the durable seq. */
    public long syncNow() {
        return syncer.syncNow();
    }

    public Status status() {
        String p = health.problem();
        return new Status(p == null, p, appendedSeq(), durableSeq());
    }

    /**
     * Health of a log: whether appends and syncs currently succeed, the last problem seen, and
     * the highest appended and durable sequence numbers.
     */
    public record Status(boolean healthy, String problem, long appendedSeq, long durableSeq) {
        @Override
        public String toString() {
            return (healthy ? "healthy" : "UNHEALTHY: " + problem) + ", appended " + appendedSeq
                    + ", durable " + durableSeq;
        }
    }

    /** One line on what opening found: new log, or the tail checked and what was discarded. */
    public String recovery() {
        return recovery;
    }

    public String logId() {
        return genesis.logIdHex();
    }

    public Path directory() {
        return dir;
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    String name() {
        return name;
    }

    long createdNanos() {
        return genesis.createdNanos();
    }

    Path sealFile() {
        return config.sealFile != null ? config.sealFile : dir.resolve(SEAL_FILE);
    }

    WalMetrics metrics() {
        return metrics;
    }

    Syncer syncer() {
        return syncer;
    }

    ChainAppender appenderInternal() {
        return appender;
    }

    Path keyStateFile() {
        return keyStateFile;
    }

    /** Writes the key state file atomically and durably; the caller then erases older keys. */
    void saveKeyState(EpochKeys k, byte[] logId) throws IOException {
        KeyState.write(keyStateFile, logId, k);
    }

    /** A SEAL record was appended (the appender's lock held): remembered until it is durable. */
    void sealWritten(DurableSeal s) {
        sealsWritten.add(s);
        if (sealsWritten.size() > 4 * Identity.SEALS) {
            sealsWritten.poll(); // the syncer is not keeping up; older ones are not needed
        }
    }

    void rotated(KeyRing.RootKey k) {
        LOG.log(System.Logger.Level.INFO, "wal " + name + ": root key rotated to " + k.idHex()
                + " at seq " + appender.appendedSeq());
    }

    void checkUsable() {
        String fatal = health.fatal();
        if (fatal != null || closed) {
            throw new WalException(closed ? "log " + dir + " is closed"
                    : "log " + dir + " failed and must be reopened: " + fatal);
        }
    }

    /**
     * A clean close: a final SEAL of the last record (with a seal key), synced, the seal file
     * and the identity file written, the identity marked closed at the last record; then
     * everything is released. A log that failed, or whose final sync failed, closes without
     * the marker: its next start then records a RECOVERY.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            syncer.stop();
            closeCleanly();
            syncer.close();
            if (merkle != null) {
                merkle.close(); // hashes what is durable and writes the final checkpoint
            }
        } finally {
            closed = true;
            appender.close();
            closeQuietly(queue);
            releaseLock();
        }
    }

    private void closeCleanly() {
        try {
            if (health.fatal() != null) {
                LOG.log(System.Logger.Level.ERROR, "wal " + name + " " + dir + ": closing a failed log without a final seal: "
                        + health.fatal());
                syncer.syncNow();
                return;
            }
            appender.finalSeal();
            long durable = syncer.syncNow();
            long[] last = new long[1];
            byte[] mac = appender.lastMac(last);
            String why = durable < last[0] ? "seq " + last[0] + " is not durable (" + status().problem() + ")"
                    : appender.unsavedSeal() != null ? "the final seal file was not written (" + status().problem() + ")"
                    : null;
            if (why != null) {
                LOG.log(System.Logger.Level.ERROR, "wal " + name + " " + dir + ": closed without the clean-close mark: " + why
                        + "; the next start records a RECOVERY");
                return;
            }
            writeIdentity(Identity.CLOSED, last[0], mac, durable);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "wal " + name + " " + dir + ": closed without the clean-close mark: " + e
                    + "; the next start records a RECOVERY");
        }
    }

    /**
     * Tests only: lets go of everything as a killed writer would, with no final seal, sync or
     * clean-close mark (what was appended stays in the page cache, as after kill -9).
     */
    void abandon() {
        if (closed) {
            return;
        }
        closed = true;
        syncer.stop();
        if (merkle != null) {
            merkle.abandon();
        }
        appender.close();
        closeQuietly(queue);
        releaseLock();
    }

    private static void closeQuietly(SingleChronicleQueue q) {
        if (q != null) {
            try {
                q.close();
            } catch (RuntimeException e) {
                // closing; nothing more to do
            }
        }
    }

    private void releaseLock() {
        LogOpening.release(lock, lockChannel, dirLockFd);
    }
}
