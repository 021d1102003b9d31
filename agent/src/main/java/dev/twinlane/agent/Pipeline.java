package dev.twinlane.agent;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import dev.twinlane.export.Exporters;
import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.IngestMetrics;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.observability.BatchSink;
import dev.twinlane.observability.ObservabilityLane;
import dev.twinlane.records.LossSource;
import dev.twinlane.records.Ring;
import dev.twinlane.router.Records;
import dev.twinlane.router.Router;
import dev.twinlane.security.Loss;
import dev.twinlane.security.SecurityLane;
import dev.twinlane.security.SecuritySink;
import dev.twinlane.wal.ChainAppender;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The whole agent: kernel → router → security lane → security log, and
 * observability lane → observability log. Opened in data-flow order and
 * closed in reverse, so every record the kernel committed before a stop
 * reaches its log, or, when the security log cannot take it within the stop's
 * bound, the loss journal, which the next start turns into GAP records.
 */
final class Pipeline implements AutoCloseable {
    static final int OBSERVABILITY_BATCH = ObservabilityLogSink.BATCH_KIND;
    /** Each log's key state file (dev.twinlane.wal's name for it). */
    static final String KEY_STATE = "key.state";

    /** Null when it could not be created ({@link #journalMissing} says why). */
    private final LossJournal journal;
    private final Path journalPath;
    private final String journalMissing;
    /** The security path's scheduling, for the status file (set once its threads run). */
    private volatile String scheduling;
    private final SecurityLogSink securitySink;
    private final ChainedLog securityLog;
    private final ChainedLog observabilityLog;
    private final SecurityLane securityLane;
    private final ObservabilityLane observabilityLane;
    private final KernelIngest kernel;
    private final Router router;
    /** Kafka export of both logs (null without a kafka setting); reads the logs on threads of its own. */
    private final Exporters exporters;
    /** The policy plane (the policy: section): null when off. */
    private PolicyPlane policyPlane;
    private SandboxDenials sandboxDenials;
    private PolicyHeartbeat heartbeat;
    private ControlServer control;
    private Summary summary;

    /**
     * What a run read and did not log, final once {@link #close()} returned: per kernel ring
     * (by {@link Ring#id()}) the records read, malformed and dropped in the kernel (read after
     * the programs were detached); the records the security lane appended; what it could not
     * append before the stop's bound, by GAP ring (kernel drops whose GAP record it could not
     * write, and records it had read); the loss journal afterwards.
     */
    record Summary(long[] records, long[] malformed, long[] drops, long promoted, long appended, List<Loss> losses,
            String cause, Path journal, long journalTotal, String journalProblem) {
        long notLogged() {
            long n = 0;
            for (Loss l : losses) {
                n += l.count();
            }
            return n;
        }

        /** The one line a stop that could not log everything prints, or null when it logged everything. */
        String notLoggedLine() {
            if (notLogged() == 0) {
                return null;
            }
            StringBuilder by = new StringBuilder();
            for (Loss l : losses) {
                by.append(by.length() == 0 ? "" : ", ").append(l.count()).append(l.ring() == LossSource.SECURITY_LANE
                        ? " read by the security lane and not appended"
                        : " dropped by the kernel (" + LossSource.label(l.ring()) + " full)");
            }
            String where = journalProblem == null
                    ? "; the loss journal " + journal + " holds them" + (journalTotal > notLogged() ? " (" + journalTotal
                            + " in all, with earlier runs')" : "") + ", and the next start writes them to the log as GAP"
                            + " records"
                    : "; the loss journal " + journal + " could not hold them (" + journalProblem + "): no GAP record"
                            + " will name them";
            return notLogged() + " security events were not logged (" + by + ") because " + cause + where;
        }
    }

    /** Points where tests and tools look at or slow down the flow; production uses {@link #PLAIN}. */
    record Hooks(Records.Tap tap, UnaryOperator<SecuritySink> security, UnaryOperator<BatchSink> observability) {
        static Hooks tap(Records.Tap tap) {
            return new Hooks(tap, s -> s, b -> b);
        }
    }

    static final Hooks PLAIN = Hooks.tap(Records.Tap.NONE);

    private Pipeline(AgentConfig c, MeterRegistry registry, Hooks hooks) throws IOException {
        Logs logs = openLogs(c, registry);
        securityLog = logs.security();
        observabilityLog = logs.observability();
        journalPath = c.dataDir.resolve(LossJournal.FILE);
        LossJournal j = null;
        String noJournal = null;
        try {
            j = LossJournal.open(journalPath);
        } catch (LossJournal.CannotCreate e) {
            // running without one beats not running: only losses at a stop on a full disk go unrecorded, said so
            noJournal = e.getMessage();
            System.err.println("twinlane: " + noJournal + "; running without: events a stop cannot log would not be"
                    + " recorded (a later start with room creates it)");
        } catch (IOException e) {
            observabilityLog.close();
            securityLog.close();
            throw new StartRefused(e.getMessage());
        }
        journal = j;
        journalMissing = noJournal;
        ChainAppender obs = observabilityLog.appender();
        securitySink = new SecurityLogSink(securityLog, journal);
        securitySink.recordEarlierLosses();   // before any new record: what an earlier run could not log
        SecuritySink sink = hooks.security().apply(securitySink);
        securityLane = (c.securityLaneThread
                ? new SecurityLane(c.securityRingSize, AgentConfig.waitStrategy(c.securityWait), sink)
                : SecurityLane.inline(sink)).realtimePriority(c.securityRealtimePriority).nice(c.securityNice).start();
        observabilityLane = new ObservabilityLane(new ObservabilityLane.Settings().ringSize(c.observabilityRingSize)
                .waitStrategy(AgentConfig.waitStrategy(c.observabilityWait)).windowMs(c.windowMs)
                .maxSeries(c.maxSeries).imputation(c.imputation),
                hooks.observability().apply(new ObservabilityLogSink(obs))).start();
        securityLane.bindMetrics(registry);
        observabilityLane.bindMetrics(registry);
        if (c.policy != null) {
            c.ingest.pinDir(c.policy.pinDir);   // the policy maps and the cgroup programs' links outlive the agent
        }
        kernel = KernelIngest.start(c.ingest.openTracepoint(c.wantsOpenTracepoint()).audit(auditLog(c.dataDir)));
        for (String w : c.watch) {
            kernel.policy().watchPrefix(w);
        }
        c.rules.apply(kernel.policy()); // checked before the start; loaded before the router reads a record
        IngestMetrics.bind(kernel, registry);
        DenyRate denies = new DenyRate();
        Records.Tap tap = c.policy == null ? hooks.tap() : r -> {
            denies.accept(r);
            hooks.tap().accept(r);
        };
        router = new Router(kernel, securityLane, observabilityLane, c.promotions, tap)
                .realtimePriority(c.securityRealtimePriority).nice(c.securityNice)
                .avoidProducerCpu(c.securityAvoidProducerCpu);
        if (c.detection != null) {
            DetectorMetrics.bind(registry, router.detection(c.detection));
        }
        router.start();
        sandboxDenials = SandboxDenials.start(c, router, registry);
        reportPriority(c.securityRealtimePriority, c.securityNice);
        if (c.kafka != null && c.kafka.cursorDir == null) {
            c.kafka.cursorDir = c.dataDir.resolve("export");
        }
        exporters = c.kafka == null ? null
                : Exporters.start(c.kafka, securityLog, observabilityLog, OBSERVABILITY_BATCH, registry);
        if (c.policy != null) {
            startPolicy(c, denies);
        }
    }

    /**
     * The pinned policy taken over (or the configured one applied), the heartbeat, the control
     * socket. A failure stops what already runs, in order, before the start is refused.
     */
    private void startPolicy(AgentConfig c, DenyRate denies) throws IOException {
        try {
            policyPlane = new PolicyPlane(c.policy, c.dataDir, kernel, router);
            policyPlane.start();
            heartbeat = new PolicyHeartbeat(c.policy, kernel.deadman(), policyPlane, denies).start();
            control = ControlServer.start(c.policy.controlSocket, policyPlane);
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** Directories that others than the agent's user may write to are refused (before any key is made). */
    private static void checkDirectories(AgentConfig c) {
        PrivateDirs.check("data dir", c.dataDir);
        PrivateDirs.check("security log dir", c.dataDir.resolve("security"));
        PrivateDirs.check("observability log dir", c.dataDir.resolve("observability"));
        PrivateDirs.check("key dir", c.dataDir.resolve("keys"));
        PrivateDirs.check("state dir", c.dataDir.resolve("state"));   // the logs' identities
        keyDir(c.keyFile, "security.key_file");
        keyDir(c.sealKeyFile, "security.seal_key_file");
    }

    /** The directory of a configured key file is not necessarily the agent's to chmod 700. */
    private static void keyDir(Path keyFile, String setting) {
        Path dir = keyFile == null ? null : keyFile.toAbsolutePath().getParent();
        if (dir != null) {
            PrivateDirs.check("key dir " + dir + " (of " + setting + ")", dir,
                    "chmod go-w " + dir + ", or keep the key file in a directory only root can write");
        }
    }

    static Pipeline start(AgentConfig c, MeterRegistry registry, Hooks hooks) throws IOException {
        return new Pipeline(c, registry, hooks);
    }

    /**
     * Where the agent remembers each log (log id, what was durable, its latest seals, whether it
     * was closed cleanly): DATA/state/NAME.identity, outside the log's directory, so that deleting
     * or swapping DATA/NAME does not take it along and the log is never silently restarted.
     */
    static Path identityFile(Path dataDir, String name) {
        return dataDir.resolve("state").resolve(name + ".identity");
    }

    record Logs(ChainedLog security, ChainedLog observability) {
    }

    /**
     * Checks the directories and keys, then opens (creates or recovers) both logs. Each log's
     * writer starts from its key state file (DIR/key.state); the root key is only needed to create
     * a log or its state file, or to start a new log in place of a damaged one (--start-new-log),
     * and then belongs off this host.
     */
    static Logs openLogs(AgentConfig c, MeterRegistry registry) throws IOException {
        Path secState = c.dataDir.resolve("security").resolve(KEY_STATE);
        Path obsState = c.dataDir.resolve("observability").resolve(KEY_STATE);
        checkDirectories(c);
        boolean anew = c.startNewLogReason != null;
        Keys keys = Keys.ensure(c); // the last check, then the first write (keys on a first run)
        for (Path d : List.of(c.dataDir, c.dataDir.resolve("security"), c.dataDir.resolve("observability"),
                c.dataDir.resolve("state"))) {
            PrivateDirs.create(d);
        }
        ChainedLog security = build(integrity(cadence(ChainedLog.security(c.dataDir.resolve("security")), c.securityFsyncMs), c,
                "security").keys(Files.exists(secState) && !anew ? null : keys.root).sealKey(keys.seal)
                .meterRegistry(registry).name("security")
                .syncerSetup(() -> ThreadPriority.apply(c.securityRealtimePriority, c.securityNice))
                .backgroundSetup(() -> ThreadPriority.apply(0, c.securityBackgroundNice)), c);
        // sealed too: a start checks a log from its last durable seal, and reads a log without seals whole
        ChainedLog observability = open(() -> build(integrity(cadence(ChainedLog.observability(c.dataDir.resolve("observability")),
                c.observabilityFsyncMs), c, "observability").keys(Files.exists(obsState) && !anew ? null : keys.root)
                .sealKey(keys.seal).maxPayload(16 << 20).meterRegistry(registry).name("observability"), c),
                security);
        return new Logs(security, observability);
    }

    /** The identity file: what the writer remembers of its log, outside the log directory. */
    private static ChainedLog.Builder integrity(ChainedLog.Builder b, AgentConfig c, String name) {
        return b.identityFile(identityFile(c.dataDir, name));
    }

    /** Opens the log, or with the operator's --start-new-log a new one in place of a damaged one. */
    private static ChainedLog build(ChainedLog.Builder b, AgentConfig c) {
        return c.startNewLogReason == null ? b.build() : b.buildStartingNewLogIfDamaged(c.startNewLogReason);
    }

    /** BPF load/attach/detach audit lines go to DATA/bpf-audit.log (appended, flushed per line). */
    private static AuditLog auditLog(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        return new AuditLog(new PrintStream(new FileOutputStream(dataDir.resolve("bpf-audit.log").toFile(), true), true,
                StandardCharsets.UTF_8));
    }

    /** fsync_ms 0 is the strict mode: each append returns once its record is durable. */
    private static ChainedLog.Builder cadence(ChainedLog.Builder b, long fsyncMs) {
        return fsyncMs == 0 ? b.syncEachRecord() : b.syncEvery(Duration.ofMillis(fsyncMs));
    }

    /**
     * One line when the security path could not get the scheduling asked; it runs on regardless.
     * The status file says which scheduling it has ({@link #scheduling}).
     */
    private void reportPriority(int priority, int nice) {
        String asked = priority > 0 ? "SCHED_FIFO " + priority : "normal, nice " + nice;
        scheduling = "security path scheduling (ring reader, lane, log syncer): " + asked
                + " (security.realtime_priority " + priority + ", security.nice " + nice + ")";
        if (priority == 0 && nice == 0) {
            return;
        }
        for (CompletableFuture<String> f : List.of(router.priority(), securityLane.priority())) {
            String problem;
            try {
                problem = f.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                problem = "not known: " + e;
            }
            if (problem != null) {
                System.err.println("twinlane: security path at " + (priority == 0 ? "nice 0" : "normal scheduling priority") + ": " + problem);
                scheduling = "security path scheduling: normal, nice 0, not " + asked + ": " + problem;
                return;
            }
        }
    }

    private interface Opener {
        ChainedLog open();
    }

    /** Opens a second log, closing the first (and the loss journal) if that fails. */
    private static ChainedLog open(Opener o, ChainedLog already) {
        try {
            return o.open();
        } catch (RuntimeException e) {
            already.close();
            throw e;
        }
    }

    private void stopPolicy() {
        try {
            if (control != null) {
                control.close();
            }
        } catch (IOException e) {
            System.err.println("twinlane policy: cannot remove the control socket: " + e.getMessage());
        }
        if (heartbeat != null) {
            heartbeat.close();
        }
    }

    private static void closeQuietly(LossJournal j) {
        if (j == null) {
            return;
        }
        try {
            j.close();
        } catch (IOException e) {
            // nothing was written through it yet
        }
    }

    /** Null without a policy: section. */
    PolicyPlane policyPlane() {
        return policyPlane;
    }

    PolicyHeartbeat heartbeat() {
        return heartbeat;
    }

    Exporters exporters() {
        return exporters;
    }

    KernelIngest kernel() {
        return kernel;
    }

    SecurityLane securityLane() {
        return securityLane;
    }

    ObservabilityLane observabilityLane() {
        return observabilityLane;
    }

    ChainedLog securityLog() {
        return securityLog;
    }

    ChainedLog observabilityLog() {
        return observabilityLog;
    }

    /** The final figures of the run; null until {@link #close()} returned. */
    Summary summary() {
        return summary;
    }

    /**
     * For the status file: one line per log and, for each problem, a line starting with
     * "problem: " (what `twinlane status` reports and exits non-zero for).
     */
    List<String> health() {
        List<String> lines = new java.util.ArrayList<>();
        List<String> problems = new java.util.ArrayList<>();
        if (scheduling != null) {
            lines.add(scheduling);
        }
        if (router != null) {
            lines.add("security ring reader runs " + router.readerPlacement());
        }
        for (ChainedLog log : List.of(securityLog, observabilityLog)) {
            ChainedLog.Status st = log.status();
            String name = log == securityLog ? "security log" : "observability log";
            lines.add(name + " " + log.directory() + ": " + st);
            if (!st.healthy()) {
                problems.add("problem: " + name + " " + log.directory() + " is unhealthy: " + st.problem());
            }
        }
        SecurityLane.Failing f = securityLane.failing();
        if (f != null) {
            problems.add("problem: security lane: appends have failed for " + (System.nanoTime() - f.sinceNanos()) / 1_000_000_000L
                    + " s (" + f.problem() + "); it holds " + securityLane.backlog()
                    + " events and the kernel drops what its full ring cannot take (GAP records follow once appends work)");
        }
        if (journal == null) {
            problems.add("problem: no loss journal: " + journalMissing);
        } else if (journal.total() > 0) {
            problems.add("problem: the loss journal " + journal.path() + " names " + SecurityLogSink.describe(journal.entries())
                    + " not yet in the security log");
        }
        if (sandboxDenials != null) {
            lines.add(sandboxDenials.describe());
            if (sandboxDenials.problem() != null) {
                problems.add(sandboxDenials.problem());
            }
        }
        if (policyPlane != null) {
            lines.addAll(policyPlane.describe());
            String tamper = policyPlane.tamperProblem();
            if (tamper != null) {
                problems.add("problem: " + tamper);
            }
            if (kernel.deadman().lapseSeen()) {
                problems.add("problem: the policy deadman lapsed: the cgroup programs decide audit-only until the"
                        + " heartbeat renews it");
            }
        }
        lines.addAll(problems);
        return lines;
    }

    /**
     * Stops in data-flow order and bounds the wait for the security log: the programs are
     * detached, the lane gets its stop bound ({@link SecurityLane#beginStop()}), the router
     * drains what the kernel committed and reports the final drops, the lanes drain, the logs
     * close. What the security lane could not append is added to the loss journal; see
     * {@link #summary()}.
     */
    @Override
    public void close() throws InterruptedException {
        if (summary != null) {
            return;
        }
        stopPolicy();      // no request and no renewal while the rest stops; the pins keep what is in force
        if (sandboxDenials != null) {
            sandboxDenials.close();   // before the router's last drain, which takes what it handed over
        }
        kernel.detach();   // nothing new after this: the router's last drain and drop check are complete
        securityLane.beginStop();
        router.close();
        int n = Ring.values().length;
        long[] records = new long[n];
        long[] malformed = new long[n];
        long[] drops = new long[n];
        for (Ring r : Ring.values()) {
            records[r.id()] = kernel.reader(r).records();
            malformed[r.id()] = kernel.reader(r).malformed();
            drops[r.id()] = kernel.drops(r) - kernel.dropsBefore(r);   // final, but for pinned programs: see GapAccounting
        }
        securityLane.close();
        observabilityLane.close();
        kernel.close();
        if (exporters != null) {
            exporters.close(); // ships what is durable (bounded wait), saves the cursors
        }
        SecurityLane.Failing failing = securityLane.failing();
        ChainedLog.Status status = securityLog.status();
        securityLog.close();
        observabilityLog.close();
        List<Loss> losses = securityLane.losses();
        String cause = failing != null ? "the security log could not append (" + failing.problem() + ")"
                : !status.healthy() ? "the security log was unhealthy (" + status.problem() + ")"
                : "the stop's " + SecurityLane.STOP_DRAIN_NS / 1_000_000_000L + " s to append them passed";
        String journalProblem = null;
        long owed = 0;
        if (journal == null) {
            journalProblem = "there is none: " + journalMissing;
        } else {
            try {
                securitySink.forgetEarlierIfDurable();
                journal.add(losses);
            } catch (IOException e) {
                journalProblem = e.getMessage();
            }
            owed = journal.total();
            closeQuietly(journal);
        }
        summary = new Summary(records, malformed, drops, router.promoted(), securityLane.appended(), losses, cause,
                journalPath, owed, journalProblem);
    }

    /**
     * The log keys: from the configuration, or generated under DATA/keys on the first run. Every
     * reason to refuse is found before a key is generated, so a refused start writes nothing.
     */
    static final class Keys {
        final KeyRing root;
        final SealKey seal;

        private Keys(KeyRing root, SealKey seal) {
            this.root = root;
            this.seal = seal;
        }

        /** The root key is needed when a log has no key state file (a new log, or one whose state was lost). */
        static Keys ensure(AgentConfig c) throws IOException {
            Path dir = c.dataDir.resolve("keys");
            Path rootFile = c.keyFile != null ? c.keyFile : dir.resolve("security.key");
            Path sealFile = c.sealKeyFile != null ? c.sealKeyFile : dir.resolve("seal.key");
            List<Path> logs = List.of(c.dataDir.resolve("security"), c.dataDir.resolve("observability"));
            List<Path> stateless = logs.stream().filter(l -> !Files.exists(l.resolve(KEY_STATE))).toList();
            boolean logsExist = logs.stream().anyMatch(Keys::holdsLog);

            boolean newRoot = false;
            if (!stateless.isEmpty() && !Files.exists(rootFile)) {
                if (c.keyFile != null) {
                    throw new StartRefused("root key file " + rootFile + " (security.key_file) does not exist; "
                            + stateless.get(0) + " has no key state file, so the root key is needed");
                }
                if (logsExist) {
                    throw new StartRefused("root key file " + rootFile + " is missing and " + stateless.get(0)
                            + " has no key state file; a new root key is made only before any log exists:"
                            + " restore the root key file (or the key state file)");
                }
                newRoot = true;
            }
            boolean newSeal = false;
            if (!Files.exists(sealFile)) {
                if (c.sealKeyFile != null) {
                    throw new StartRefused("seal key file " + sealFile + " (security.seal_key_file) does not exist");
                }
                if (logsExist) {
                    throw new StartRefused("seal key file " + sealFile + " is missing, but the logs under " + c.dataDir
                            + " exist and name its public key; a new seal key is made only before any log exists:"
                            + " restore the seal key file");
                }
                newSeal = true;
            }
            // the keys that exist are read and checked as the writer will check them, still before writing
            KeyRing root = null;
            // a new log in place of a damaged one (--start-new-log) needs the root key too; without the file the log refuses
            boolean rootNeeded = !stateless.isEmpty() || c.startNewLogReason != null && Files.exists(rootFile);
            if (rootNeeded && !newRoot) {
                root = KeyRing.load(rootFile);
                requireRootOwner(rootFile);
            }
            SealKey seal = null;
            if (!newSeal) {
                seal = SealKey.load(sealFile);
                requireRootOwner(sealFile);
            }

            if (newRoot) {
                PrivateDirs.create(dir);
                KeyRing.generate(rootFile);
                root = KeyRing.load(rootFile);
                System.err.println("twinlane: generated a new log root key at " + rootFile + " (keep a copy to verify logs)");
            }
            if (newSeal) {
                PrivateDirs.create(dir);
                seal = SealKey.generate(sealFile, dir.resolve("seal.pub"));
                System.err.println("twinlane: generated a new seal key at " + sealFile + ", public key " + dir.resolve("seal.pub"));
            }
            return new Keys(root, seal);
        }

        /** A directory holds a log once the writer has created one there (a cycle file, its description or key state). */
        static boolean holdsLog(Path dir) {
            if (Files.exists(dir.resolve(KEY_STATE)) || Files.exists(dir.resolve("wal.meta"))) {
                return true;
            }
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (java.util.stream.Stream<Path> files = Files.list(dir)) {
                return files.anyMatch(f -> f.getFileName().toString().endsWith(".cq4"));
            } catch (IOException e) {
                throw new StartRefused("cannot read " + dir + ": " + e.getMessage());
            }
        }

        /** The log writer's own rule (dev.twinlane.wal refuses it too, but only after a missing key was generated). */
        private static void requireRootOwner(Path file) throws IOException {
            int uid = (Integer) Files.getAttribute(file, "unix:uid");
            if (uid != 0) {
                throw new StartRefused("key file " + file + " is owned by uid " + uid + ", not root; run: chown root:root "
                        + file);
            }
        }
    }

    /** A start refused before anything was written: one line that says what to fix. */
    static final class StartRefused extends RuntimeException {
        StartRefused(String message) {
            super(message);
        }
    }
}
