package dev.twinlane.agent;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.records.Ring;
import dev.twinlane.router.Records;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** `twinlane run`: the whole pipeline, kernel to both logs, until stopped or --duration ends. */
final class RunCommand implements Command {
    public String name() {
        return "run";
    }

    public String summary() {
        return "run the agent [--config FILE] [--data-dir DIR] [--duration 10s] [--print security|observability|all] [--kafka HOST:PORT]"
                + " [--start-new-log REASON]";
    }

    static Options options(String[] args) throws UsageException {
        return Options.parse(args,
                Set.of("config", "data-dir", "duration", "print", "mode", "sample-rate", "deny-port", "deny-addr",
                        "deny-file", "watch", "watch-file", "kafka", "start-new-log"),
                Set.of("record-all-opens"));
    }

    /** The configuration the options make (the file, then the options over it). */
    static AgentConfig config(Options o) throws UsageException {
        AgentConfig config = o.has("config") ? AgentConfig.load(Path.of(o.get("config", null))) : AgentConfig.defaults();
        if (o.has("start-new-log")) {
            String reason = o.get("start-new-log", "").trim();
            if (reason.isEmpty() || reason.startsWith("--")) {
                throw new UsageException("--start-new-log wants a reason (it is recorded in the new log), e.g."
                        + " --start-new-log \"disk replaced, ticket 4711\"");
            }
            config.startNewLogReason = reason;
        }
        if (o.has("data-dir")) {
            config.dataDir = Path.of(o.get("data-dir", null));
        }
        if (o.has("kafka")) {
            config.kafka = KafkaConfig.bootstrap(config.kafka, o.get("kafka", null));
        }
        if (o.has("mode")) {
            config.ingest.mode(mode(o.get("mode", null)));
        }
        if (o.has("sample-rate")) {
            config.ingest.syscallSampleRate(o.integer("sample-rate", 100, 0, 1_000_000));
        }
        if (o.has("record-all-opens")) {
            config.ingest.recordAllOpens(true);
        }
        return config;
    }

    public int run(String[] args) throws Exception {
        Options o = options(args);
        AgentConfig config = config(o);
        Duration duration = o.duration("duration", null);
        String print = o.get("print", null);
        if (print != null && !Set.of("security", "observability", "all").contains(print)) {
            throw new UsageException("--print wants security, observability or all, not '" + print + "'");
        }
        // every rule checked here, before anything is loaded; the pipeline loads them before it reads
        config.rules = PolicyRules.parse(o);
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch closed = new CountDownLatch(1);
        try {
            Pipeline p = Pipeline.start(config, registry, Pipeline.Hooks.tap(tap(print, out)));
            try {
                System.err.println(HookSummary.line(p.kernel().hooks(), config.ingest.mode()));
                ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "status-file");
                    t.setDaemon(true);
                    return t;
                });
                status.scheduleAtFixedRate(() -> StatusFile.write(p.kernel().hooks(), config.ingest, registry,
                        p.health()), 0, 1, TimeUnit.SECONDS);
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

    static IngestConfig.Mode mode(String m) throws UsageException {
        switch (m) {
            case "audit": return IngestConfig.Mode.AUDIT;
            case "enforce": return IngestConfig.Mode.ENFORCE;
            default: throw new UsageException("--mode wants audit or enforce, not '" + m + "'");
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
