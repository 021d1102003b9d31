package dev.twinlane.agent;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.twinlane.cli.Choice;
import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Durations;
import dev.twinlane.cli.KafkaAccessOptions;
import dev.twinlane.cli.Port;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.records.Ring;
import dev.twinlane.router.Records;
import dev.twinlane.sandbox.SelfHardening;
import dev.twinlane.sandbox.WriteConfinement;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** `twinlane run`: the whole pipeline, kernel to both logs, until stopped or --duration ends. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Runs the agent: loads the programs this kernel accepts, reads both rings into the security"
                + " and observability logs, until Ctrl-C, SIGTERM or the end of --duration.",
                "Every option and rule is checked before anything is loaded into the kernel or written."},
        footer = "Exit status: 0; 1 when a failure stopped it or it could not log every security event; 2 for a bad"
                + " option, rule or configuration.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "settings: one YAML file, see docs/CONFIGURATION.md (the options below override it)")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "logs, keys and state (default: /var/lib/twinlane)")
    Path dataDir;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Durations.Positive.class,
            description = "stop after this long, e.g. 10s, 500ms, 2m (default: until stopped)")
    Duration duration;

    @Option(names = "--print", paramLabel = "LANE", converter = PrintChoice.class, completionCandidates = PrintChoice.class,
            description = "write one JSON object per record to stdout; LANE: ${COMPLETION-CANDIDATES}")
    String print;

    @Option(names = "--mode", paramLabel = "MODE", converter = ModeChoice.class, completionCandidates = ModeChoice.class,
            description = "enforce (deny rules refuse) or audit (they are only recorded, as audit_deny); default: enforce")
    IngestConfig.Mode mode;

    @Option(names = "--sample-rate", paramLabel = "N", converter = SampleRate.class,
            description = "record 1 in N syscalls with its latency, 0-1000000 (default 0: none, and sys_enter/sys_exit stay unattached)")
    Integer sampleRate;

    @Option(names = "--record-all-opens", description = "every file open is a security record, not just watched ones")
    boolean recordAllOpens;

    @Option(names = "--no-self-harden", description = "leave the agent without the seccomp filter that, after start-up,"
            + " denies what it never needs (execve, ptrace, mounts, kernel modules, io_uring) and without the Landlock"
            + " rules that the launcher puts on its writes (docs/SANDBOX.md)")
    boolean noSelfHarden;

    /** The launcher's first step: the options checked, the write plan in FILE, nothing started (WritePaths.plan). */
    @Option(names = "--landlock-plan", paramLabel = "FILE", hidden = true)
    Path landlockPlan;

    /** Set by Main.main: this JVM is the agent's own, so it may be hardened (a JVM that runs `run` inside it, as tests do, is not). */
    static volatile boolean ownProcess;

    @Option(names = "--deny-port", paramLabel = "PORT", converter = Port.class,
            description = "refuse connect and bind to this port, 1-65535 (repeatable)")
    List<Integer> denyPorts = new ArrayList<>();

    @Option(names = "--deny-addr", paramLabel = "IP", converter = PolicyRules.Address.class,
            description = "refuse connect to this IPv4 or IPv6 address, never a name or a network (repeatable)")
    List<InetAddress> denyAddresses = new ArrayList<>();

    @Option(names = "--deny-file", paramLabel = "PATH", converter = PolicyRules.DenyFile.class,
            description = "refuse opening this existing file, not a directory; a symbolic link means its target"
                    + " (repeatable)")
    List<Path> denyFiles = new ArrayList<>();

    @Option(names = "--watch", paramLabel = "PREFIX", converter = PolicyRules.Prefix.class,
            description = "opens of paths with this prefix (1-128 bytes) are security records (repeatable)")
    List<String> watchPrefixes = new ArrayList<>();

    @Option(names = "--watch-file", paramLabel = "PATH", converter = PolicyRules.WatchFile.class,
            description = "opens of this existing file are security records (repeatable)")
    List<Path> watchFiles = new ArrayList<>();

    @Option(names = "--kafka", paramLabel = "HOST:PORT",
            description = "export both logs to this Kafka broker (see export/README.md)")
    String kafka;

    @Mixin
    KafkaAccessOptions kafkaAccess = new KafkaAccessOptions();

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = MetricsEndpoint.Listen.class,
            description = "serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464 (default: off;"
                    + " see docs/METRICS.md)")
    java.net.InetSocketAddress metrics;

    @Option(names = "--detector-rules", paramLabel = "FILE",
            description = "detector rules that add to the builtin ones (format: detector/README.md); a bad file"
                    + " stops the start")
    Path detectorRules;

    @Option(names = "--start-new-log", paramLabel = "REASON", converter = Reason.class,
            description = "when the log is damaged, missing or not the one remembered: keep its files aside and"
                    + " start a new log whose NEW_LOG record names the old one and REASON (see wal/README.md)")
    String startNewLogReason;

    /** The command with these options (for tests: the parse alone, nothing run). */
    static RunCommand parse(String... args) {
        RunCommand run = new RunCommand();
        Cli.commandLine(run).parseArgs(args);
        return run;
    }

    /** The configuration the options make (the file, then the options over it). */
    AgentConfig config() throws UsageException {
        AgentConfig config = configFile != null ? AgentConfig.load(configFile) : AgentConfig.defaults();
        config.startNewLogReason = startNewLogReason;
        if (dataDir != null) {
            config.dataDir = dataDir;
        }
        if (metrics != null) {
            config.metricsListen = metrics;
        }
        if (kafka != null || kafkaAccess.given()) {
            config.kafka = KafkaConfig.options(config.kafka, kafka, kafkaAccess);
        }
        if (mode != null) {
            config.ingest.mode(mode);
        }
        if (sampleRate != null) {
            config.ingest.syscallSampleRate(sampleRate);
        }
        if (recordAllOpens) {
            config.ingest.recordAllOpens(true);
        }
        config.rules = rules();
        if (detectorRules != null) {
            config.detectorRulesFile = detectorRules;
            config.loadDetectionRules();
        }
        return config;
    }

    /** The deny and watch rules, each checked as it was parsed (see PolicyRules' converters). */
    PolicyRules rules() {
        return new PolicyRules(denyPorts, denyAddresses, denyFiles, watchPrefixes, watchFiles);
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig config = config();
        if (landlockPlan != null) {
            java.nio.file.Files.write(landlockPlan, WritePaths.plan(config, noSelfHarden, StatusFile.PATH));
            return 0;
        }
        KindCounts kinds = new KindCounts();
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch closed = new CountDownLatch(1);
        // bound before anything is loaded: a taken port refuses the start
        MetricsEndpoint endpoint = config.metricsListen == null ? null : MetricsEndpoint.start(config.metricsListen, registry);
        try {
            Pipeline p = Pipeline.start(config, registry, Pipeline.Hooks.tap(both(kinds, tap(print, out))));
            try {
                System.err.println(HookSummary.line(p.kernel().hooks(), config.ingest.mode()));
                String hardening = selfHarden(WritePaths.of(config));
                System.err.println("twinlane: " + hardening);
                HardeningTrial.ifAsked();
                AgentMetrics.bind(registry, p.kernel(), config.ingest.mode(), p.policyPlane() != null);
                if (endpoint != null) {
                    System.err.println("twinlane: metrics at http://" + MetricsEndpoint.show(endpoint.address())
                            + MetricsEndpoint.PATH);
                }
                ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "status-file");
                    t.setDaemon(true);
                    return t;
                });
                status.scheduleAtFixedRate(() -> StatusFile.write(p.kernel().hooks(), config.ingest, registry,
                        withKinds(p.health(), kinds, hardening)), 0, 1, TimeUnit.SECONDS);
                try {
                    awaitStop(duration, closed);
                } finally {
                    status.shutdownNow();
                    StatusFile.remove();
                }
            } finally {
                try {
                    p.close();   // bounded, also when the security log cannot append (see Pipeline.close)
                } finally {
                    out.flush();
                }
            }
            Pipeline.Summary s = p.summary();
            for (Ring r : Ring.values()) {
                System.err.printf("twinlane: %s ring: %d records, %d malformed, %d dropped in kernel%n", r.label(),
                        s.records()[r.id()], s.malformed()[r.id()], s.drops()[r.id()]);
            }
            System.err.println("twinlane: " + kinds.line());
            System.err.printf("twinlane: security log: %d records appended by the lane (%d promoted), %d not logged;"
                    + " observability: %d batches, %d records shed, %d batches not written%n", s.appended(), s.promoted(),
                    s.notLogged(),
                    p.observabilityLane().batches(), p.observabilityLane().shed(), p.observabilityLane().unwritten());
            String notLogged = s.notLoggedLine();
            if (notLogged != null) {
                System.err.println("twinlane run: " + notLogged);
                return 1;
            }
            return 0;
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
            closed.countDown();
        }
    }

    private static Records.Tap tap(String print, PrintStream out) {
        if (print == null) {
            return Records.Tap.NONE;
        }
        return r -> {
            if (print.equals("all") || r.kind().ring().label().equals(print)) {
                out.println(RecordJson.render(r));
            }
        };
    }

    private static Records.Tap both(Records.Tap first, Records.Tap second) {
        return second == Records.Tap.NONE ? first : r -> {
            first.accept(r);
            second.accept(r);
        };
    }

    private static List<String> withKinds(List<String> health, KindCounts kinds, String hardening) {
        List<String> lines = new ArrayList<>(health);
        lines.add(kinds.line());
        lines.add(hardening);
        return lines;
    }

    /**
     * After start-up (programs loaded, pins mounted), the seccomp filter on every thread, and what
     * the launcher's Landlock rules (applied before the JVM started) hold, checked: one line saying
     * which protections hold. A refusal by the kernel is said, not fatal: the agent's job is the
     * telemetry.
     */
    private String selfHarden(List<Path> grants) {
        String landlock = WriteConfinement.describe(System.getenv(WriteConfinement.ENV), grants, noSelfHarden
                ? "--no-self-harden" : "the agent was not started by the launcher ./twinlane, which applies it before the JVM starts");
        if (noSelfHarden || !ownProcess) {
            return "self-hardening: off (" + (noSelfHarden ? "--no-self-harden" : "run inside another program") + "); " + landlock;
        }
        try {
            SelfHardening.apply();
            return "self-hardening: seccomp on every thread (TSYNC) denies " + String.join(", ", SelfHardening.DENIED) + "; " + landlock;
        } catch (IllegalStateException e) {
            return "self-hardening: off, the kernel refused it: " + e.getMessage() + "; " + landlock;
        }
    }

    /** --print's words. */
    static final class PrintChoice extends Choice<String> {
        PrintChoice() {
            super("security", "security", "observability", "observability", "all", "all");
        }
    }

    /** --mode's words. */
    static final class ModeChoice extends Choice<IngestConfig.Mode> {
        ModeChoice() {
            super("enforce", IngestConfig.Mode.ENFORCE, "audit", IngestConfig.Mode.AUDIT);
        }
    }

    /** --sample-rate: 0 to 1000000. */
    static final class SampleRate implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0 && n <= 1_000_000) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("wants a whole number from 0 to 1000000, not '" + v + "'");
        }
    }

    /** --start-new-log: a reason to record in the new log, not blank, not an option forgotten after it. */
    static final class Reason implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (v.isBlank() || v.trim().startsWith("--")) {
                throw new TypeConversionException("wants a reason (it is recorded in the new log), e.g."
                        + " --start-new-log \"disk replaced, ticket 4711\"");
            }
            return v.trim();
        }
    }

    /**
     * Until --duration passes or a signal comes; a signal waits (30 s at most) for the pipeline to close, whose
     * wait for the security log is bounded (SecurityLane.STOP_DRAIN_NS) so that a full disk cannot hold it.
     */
    private static void awaitStop(Duration duration, CountDownLatch closed) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        if (duration == null) {
            stop.await();
        } else {
            stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the JVM is already on its way out; the pipeline closes in the finally blocks.
        }
    }
}
