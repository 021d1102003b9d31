package dev.twinlane.wal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
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
 * {@link ChainVerifier}. One writer process per directory (enforced with a file lock).
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

    static {
        // Chronicle's DiskSpaceMonitor logs "your disk ... is almost full, warning: the JVM may
        // crash" every second while less than 200 MB (or 5%) is free, from the first mapped file
        // on: on a small file system it floods the log from the start, and on a full one it says
        // nothing the log does not say once (SpaceGuard reserves blocks ahead, so a full disk is
        // a WalFullException before Chronicle writes, never a crash). Its switch is read once,
        // when Chronicle first maps a file, so it is set before any queue is built; an explicit
        // -Dchronicle.disk.monitor.disable=false keeps the monitor.
        if (System.getProperty("chronicle.disk.monitor.disable") == null) {
            System.setProperty("chronicle.disk.monitor.disable", "true");
        }
    }

    private final Builder config;
    private final Path dir;
    private final String name;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SingleChronicleQueue queue;
    private final WalMetrics metrics;
    private final Syncer syncer;
    private final ChainAppender appender;
    private final Genesis genesis;
    private final String recovery;
    private final Path keyStateFile;
    private TailRecovery.Result tail;
    private volatile String appendProblem;
    private volatile String syncProblem;
    private volatile String sealFileProblem;
    private volatile String keyStateProblem;
    private volatile String fatal;
    private volatile boolean closed;

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
        WalClock clock = WalClock.SYSTEM;
        Path sealFile;
        Path keyState;

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

        public Builder rollCycle(RollCycle cycle) {
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

        public Builder clock(WalClock c) {
            this.clock = c;
            return this;
        }

        /** Where the latest durable seal is written; default DIR/seal.latest. */
        public Builder sealFile(Path f) {
            this.sealFile = f;
            return this;
        }

        /**
         * The writer's key state file (log id, key id, epoch, current epoch key); default
         * DIR/key.state. Without {@link #keys} the writer starts from it; with them it rewrites it.
         */
        public Builder keyState(Path f) {
            this.keyState = f;
            return this;
        }

        /** Opens (creating or recovering) the log; a problem is one line in a WalException. */
        public ChainedLog build() {
            return new ChainedLog(this);
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
                .sealEvery(1_000_000, Duration.ofSeconds(10));
    }

    private ChainedLog(Builder b) {
        this.config = b;
        this.dir = b.dir.toAbsolutePath();
        this.name = b.name;
        this.keyStateFile = (b.keyState != null ? b.keyState : dir.resolve(KeyState.FILE)).toAbsolutePath();
        if (b.keys == null && !Files.exists(keyStateFile)) {
            throw new WalException("no key file given (neither a root key nor the key state file " + keyStateFile + ")");
        }
        if (b.keys != null) {
            for (Path f : b.keys.files()) {
                KeyFiles.requirePrivate(f, true);
            }
        }
        KeyState state = b.keys == null ? KeyState.load(keyStateFile) : null;
        if (b.sealKey != null && b.sealKey.file() != null) {
            KeyFiles.requirePrivate(b.sealKey.file(), true);
        }
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                lockChannel.close();
                throw new WalException("another writer has " + dir + " open");
            }
            lock = l;
        } catch (IOException e) {
            throw new WalException("cannot open " + dir + ": " + e.getMessage(), e);
        }
        SingleChronicleQueue q = null;
        try {
            List<String> removed = new ArrayList<>();
            for (Path f : CycleFiles.list(dir)) {
                boolean unfinished = CycleFiles.checkStart(f, "SCQStore");
                long size = Files.size(f);
                if (size % 4096 != 0) {
                    // Chronicle only ever sizes a cycle file in whole pages; this one was cut short
                    throw new WalException(f + " is " + size + " bytes, not a whole number of pages: "
                            + "the file was cut short; run `twinlane verify`");
                }
                if (unfinished) {
                    // Chronicle would wait out its timeout on it; it holds no records by construction
                    Files.delete(f);
                    removed.add(f.getFileName().toString());
                }
            }
            if (!removed.isEmpty()) {
                KeyFiles.syncDirectory(dir);
            }
            Path meta = dir.resolve("metadata.cq4t");
            if (Files.exists(meta)) {
                CycleFiles.checkStart(meta, "STStore");
            }
            AppendTime appendTime = new AppendTime();
            q = SingleChronicleQueueBuilder.binary(dir).rollCycle(b.rollCycle).timeProvider(appendTime).build();
            this.queue = q;
            try (TableStoreWriteLock stale = new TableStoreWriteLock(q.metaStore(), BusyTimedPauser::new, 0L)) {
                stale.forceUnlockIfProcessIsDead(); // a writer killed mid-append leaves Chronicle's lock held
            }
            SpaceGuard.reserveWhole(dir.resolve("metadata.cq4t"));
            this.metrics = new WalMetrics(b.registry != null ? b.registry : new SimpleMeterRegistry(), name, this);
            int maxRecord = RecordFormat.OVERHEAD + b.maxPayload + 4;
            TailRecovery.Result r;
            try {
                r = TailRecovery.recover(q, dir, b.keys, state, sealFile(),
                        Math.max(maxRecord, 8 * b.rollCycle.defaultIndexCount() + 64));
            } catch (WalException e) {
                throw e;
            } catch (RuntimeException | AssertionError e) {
                throw new WalException("cannot read the tail of " + dir + " through Chronicle Queue ("
                        + TailRecovery.diagnose(dir, e) + "); run `twinlane verify`", e);
            }
            SpaceGuard space = new SpaceGuard(dir, maxRecord, b.rollCycle.defaultIndexCount(), name);
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
            this.appender = new ChainAppender(this, q, appendTime, b, g, space, q.epoch(),
                    b.rollCycle.lengthInMillis());
            EpochKeys startKeys = r.keys;
            if (r.empty()) {
                startKeys = new EpochKeys();
                startKeys.start(b.keys.newest(), g.logId);
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
                saveKeyState(startKeys, g.logId);
            }
            if (state == null) {
                LOG.log(System.Logger.Level.WARNING, "wal " + name + " " + dir + ": wrote the key state file " + keyStateFile
                        + " (key " + KeyRing.idHex(startKeys.keyId()) + ", epoch " + startKeys.epoch()
                        + "); the writer restarts from it: move the root key file(s) " + b.keys.files()
                        + " off this host (the verifier needs them)");
            }
            if (r.empty()) {
                appender.resume(0, g.mac0(), 0, startKeys);
                appender.writeGenesis(g);
                KeyFiles.writeAtomically(dir.resolve(META_FILE), g.describe().getBytes(StandardCharsets.UTF_8), false);
            } else {
                appender.resume(r.lastSeq, r.lastMac, r.lastEpoch, startKeys);
                if (!r.tornDocs.isEmpty()) {
                    appender.writeRecovery(r.tornDocs.size(), r.tornBytes, r.tornSha256(), r.tornBytesZeroed);
                }
            }
            this.recovery = r.summary() + (removed.isEmpty() ? "" : "; removed unfinished cycle file(s) "
                    + removed + " (a writer was killed while creating them; they hold no records)");
            boolean eventful = r.tornBytesZeroed > 0 || !r.tornDocs.isEmpty() || !removed.isEmpty();
            LOG.log(eventful ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "wal " + name + " " + dir + ": " + recovery);
            syncer.initialSync(r.newestFiles);
            syncer.start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(q);
            releaseLock();
            if (e instanceof WalException) {
                throw (WalException) e;
            }
            throw new WalException("cannot open the log in " + dir + ": " + e.getMessage(), e);
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

    public long appendedSeq() {
        return appender == null ? 0 : appender.appendedSeq();
    }

    /** Highest seq that is durable (see the class comment); exporters ship only up to here. */
    public long durableSeq() {
        return syncer == null ? 0 : syncer.durableSeq();
    }

    /** Forces a group commit now and returns the durable seq. */
    public long syncNow() {
        return syncer.syncNow();
    }

    public WalStatus status() {
        String p = fatal != null ? fatal : appendProblem != null ? appendProblem
                : syncProblem != null ? syncProblem : keyStateProblem != null ? keyStateProblem : sealFileProblem;
        return new WalStatus(p == null, p, appendedSeq(), durableSeq());
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
        return genesis.createdNanos;
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

    void rotated(KeyRing.RootKey k) {
        LOG.log(System.Logger.Level.INFO, "wal " + name + ": root key rotated to " + k.idHex()
                + " at seq " + appender.appendedSeq());
    }

    void checkUsable() {
        if (fatal != null || closed) {
            throw new WalException(closed ? "log " + dir + " is closed"
                    : "log " + dir + " failed and must be reopened: " + fatal);
        }
    }

    /** An I/O problem that left the chain intact: loud, counted, and cleared by the next success. */
    void ioFailure(String op, WalException e) {
        metrics.ioError(op);
        String msg = op + ": " + e.getMessage();
        boolean isNew;
        if ("sync".equals(op)) {
            isNew = !msg.equals(syncProblem);
            syncProblem = msg;
        } else if ("key-state".equals(op)) {
            isNew = !msg.equals(keyStateProblem);
            keyStateProblem = msg;
        } else if ("seal-file".equals(op)) {
            isNew = !msg.equals(sealFileProblem);
            sealFileProblem = msg;
        } else {
            isNew = !msg.equals(appendProblem);
            appendProblem = msg;
        }
        if (isNew) {
            LOG.log(System.Logger.Level.ERROR, "wal " + name + " " + dir + ": " + msg);
        }
    }

    /** An unexpected failure in the middle of a write: the log refuses appends until reopened. */
    WalException fail(String what, Throwable t) {
        metrics.ioError("append");
        fatal = what + " failed: " + t;
        LOG.log(System.Logger.Level.ERROR, "wal " + name + " " + dir + ": " + fatal
                + "; appends stop, reopen the log to recover");
        return new WalException("log " + dir + ": " + fatal, t);
    }

    void appendSucceeded() {
        if (appendProblem != null) {
            LOG.log(System.Logger.Level.INFO, "wal " + name + " " + dir + ": appends resumed after: " + appendProblem);
            appendProblem = null;
        }
    }

    void syncSucceeded() {
        if (syncProblem != null) {
            LOG.log(System.Logger.Level.INFO, "wal " + name + " " + dir + ": syncs resumed after: " + syncProblem);
            syncProblem = null;
        }
    }

    void keyStateSaved() {
        if (keyStateProblem != null) {
            LOG.log(System.Logger.Level.INFO, "wal " + name + " " + dir + ": key state file written again after: " + keyStateProblem);
            keyStateProblem = null;
        }
    }

    void sealFileSaved() {
        if (sealFileProblem != null) {
            LOG.log(System.Logger.Level.INFO, "wal " + name + " " + dir + ": seal file written again after: " + sealFileProblem);
            sealFileProblem = null;
        }
    }

    /** Syncs what is appended, writes the last durable seal file, and releases everything. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            syncer.close();
        } finally {
            closed = true;
            appender.close();
            closeQuietly(queue);
            releaseLock();
        }
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
        try {
            if (lock != null) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            // the lock dies with the channel anyway
        }
    }
}
