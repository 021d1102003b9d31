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
import dev.twinlane.router.Records;
import dev.twinlane.router.Router;
import dev.twinlane.security.SecurityEvent;
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
 * reaches its log.
 */
final class Pipeline implements AutoCloseable {
    /** WAL kind of an observability batch (kernel record kinds keep their tl_kind codes). */
    static final int OBSERVABILITY_BATCH = 0x100;

    private final ChainedLog securityLog;
    private final ChainedLog observabilityLog;
    private final SecurityLane securityLane;
    private final ObservabilityLane observabilityLane;
    private final KernelIngest kernel;
    private final Router router;
    /** Kafka export of both logs (null without a kafka setting); reads the logs on threads of its own. */
    private final Exporters exporters;

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
        ChainAppender sec = securityLog.appender();
        ChainAppender obs = observabilityLog.appender();
        securityLane = new SecurityLane(c.securityRingSize, AgentConfig.waitStrategy(c.securityWait),
                hooks.security().apply(e -> append(sec, e))).realtimePriority(c.securityRealtimePriority).start();
        observabilityLane = new ObservabilityLane(new ObservabilityLane.Settings().ringSize(c.observabilityRingSize)
                .waitStrategy(AgentConfig.waitStrategy(c.observabilityWait)).windowMs(c.windowMs)
                .maxSeries(c.maxSeries).imputation(c.imputation),
                hooks.observability().apply((json, n, start) -> obs.append(OBSERVABILITY_BATCH, json, 0, n))).start();
        securityLane.bindMetrics(registry);
        observabilityLane.bindMetrics(registry);
        kernel = KernelIngest.start(c.ingest.audit(auditLog(c.dataDir)));
        for (String w : c.watch) {
            kernel.policy().watchPrefix(w);
        }
        IngestMetrics.bind(kernel, registry);
        router = new Router(kernel, securityLane, observabilityLane, c.promotions, hooks.tap())
                .realtimePriority(c.securityRealtimePriority).start();
        reportPriority(c.securityRealtimePriority);
        if (c.kafka != null && c.kafka.cursorDir == null) {
            c.kafka.cursorDir = c.dataDir.resolve("export");
        }
        exporters = c.kafka == null ? null
                : Exporters.start(c.kafka, securityLog, observabilityLog, OBSERVABILITY_BATCH, registry);
    }

    static Pipeline start(AgentConfig c, MeterRegistry registry, Hooks hooks) throws IOException {
        return new Pipeline(c, registry, hooks);
    }

    record Logs(ChainedLog security, ChainedLog observability) {
    }

    /**
     * Where the agent remembers each log (log id, what was durable, its latest seals, whether it
     * was closed cleanly): DATA/state/NAME.identity, outside the log's directory, so that deleting
     * or swapping DATA/NAME does not take it along and the log is never silently restarted.
     */
    static Path identityFile(Path dataDir, String name) {
        return dataDir.resolve("state").resolve(name + ".identity");
    }

    /**
     * Opens (creates or recovers) both logs. Each log's writer starts from its key state file
     * (DIR/key.state); the root key is only needed to create a log or its state file, or to start
     * a new log in place of a damaged one (--start-new-log), and then belongs off this host.
     */
    static Logs openLogs(AgentConfig c, MeterRegistry registry) throws IOException {
        Path secState = c.dataDir.resolve("security").resolve("key.state");
        Path obsState = c.dataDir.resolve("observability").resolve("key.state");
        Keys keys = Keys.ensure(c, Files.exists(secState) && Files.exists(obsState));
        boolean anew = c.startNewLogReason != null;
        ChainedLog security = integrity(cadence(ChainedLog.security(c.dataDir.resolve("security")), c.securityFsyncMs), c,
                "security").keys(Files.exists(secState) && !anew ? null : keys.root).sealKey(keys.seal)
                .meterRegistry(registry).name("security")
                .syncerSetup(() -> ThreadPriority.realtime(c.securityRealtimePriority)).build();
        // sealed too: a start checks a log from its last durable seal, and reads a log without seals whole
        ChainedLog observability = open(() -> integrity(cadence(ChainedLog.observability(c.dataDir.resolve("observability")),
                c.observabilityFsyncMs), c, "observability").keys(Files.exists(obsState) && !anew ? null : keys.root)
                .sealKey(keys.seal).maxPayload(16 << 20).meterRegistry(registry).name("observability").build(), security);
        return new Logs(security, observability);
    }

    /** The identity file, and the operator's --start-new-log when given. */
    private static ChainedLog.Builder integrity(ChainedLog.Builder b, AgentConfig c, String name) {
        b.identityFile(identityFile(c.dataDir, name));
        return c.startNewLogReason == null ? b : b.startNewLogIfDamaged(c.startNewLogReason);
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

    /** One line when the security path could not get real-time scheduling; it runs on regardless. */
    private void reportPriority(int priority) {
        if (priority == 0) {
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
                System.err.println("twinlane: security path at normal scheduling priority: " + problem);
                return;
            }
        }
    }

    private static void append(ChainAppender log, SecurityEvent e) {
        if (e.type() == SecurityEvent.Type.GAP) {
            log.gap(e.gapCount(), e.gapRing(), e.gapFromNs(), e.gapToNs());
        } else {
            log.append(e.kindCode(), e.data(), 0, e.length());
        }
    }

    private interface Opener {
        ChainedLog open();
    }

    /** Opens a second log, closing the first if that fails. */
    private static ChainedLog open(Opener o, ChainedLog already) {
        try {
            return o.open();
        } catch (RuntimeException e) {
            already.close();
            throw e;
        }
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

    @Override
    public void close() throws InterruptedException {
        kernel.detach();   // nothing new after this: the router's last drain and drop check are complete
        router.close();
        securityLane.close();
        observabilityLane.close();
        kernel.close();
        if (exporters != null) {
            exporters.close(); // ships what is durable (bounded wait), saves the cursors
        }
        securityLog.close();
        observabilityLog.close();
    }

    /** The log keys: from the configuration, or generated under DATA/keys on first run. */
    static final class Keys {
        final KeyRing root;
        final SealKey seal;

        private Keys(KeyRing root, SealKey seal) {
            this.root = root;
            this.seal = seal;
        }

        static Keys ensure(AgentConfig c, boolean statesExist) throws IOException {
            Path dir = c.dataDir.resolve("keys");
            Path rootFile = c.keyFile != null ? c.keyFile : dir.resolve("security.key");
            Path sealFile = c.sealKeyFile != null ? c.sealKeyFile : dir.resolve("seal.key");
            if (c.keyFile == null && !Files.exists(rootFile) && !statesExist) {
                Files.createDirectories(dir);
                KeyRing.generate(rootFile);
                System.err.println("twinlane: generated a new log root key at " + rootFile + " (keep a copy to verify logs)");
            }
            if (c.sealKeyFile == null && !Files.exists(sealFile)) {
                Files.createDirectories(dir);
                SealKey.generate(sealFile, dir.resolve("seal.pub"));
                System.err.println("twinlane: generated a new seal key at " + sealFile + ", public key " + dir.resolve("seal.pub"));
            }
            // a new log in place of a damaged one needs the root key; without the file the log refuses, in one line
            boolean root = !statesExist || c.startNewLogReason != null && Files.exists(rootFile);
            return new Keys(root ? KeyRing.load(rootFile) : null, SealKey.load(sealFile));
        }
    }
}
