package dev.twinlane.bench.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.twinlane.export.ExportSettings;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One measured run of the security exporter, in a JVM of its own (as ProducerPerformance runs in
 * its own): ships a whole, durable security log to a topic and prints
 * {@code RESULT impl=twinlane records=N seconds=S rps=R}. The clock starts when the broker has
 * acknowledged the last warm-up record and stops when it has acknowledged the last record
 * (acks=all).
 *
 * <p>With WARMUP, the first WARMUP records of the log are not timed, as ProducerPerformance's
 * --warmup-records does on its side: both are measured at steady state, in one run of one
 * exporter.
 *
 * <p>Arguments: LOG_DIR KEY_FILE BOOTSTRAP TOPIC_PREFIX [WARMUP]
 */
public final class ExportRun {
    private ExportRun() {
    }

    public static void main(String[] args) throws Exception {
        Path logDir = Path.of(args[0]);
        Path key = Path.of(args[1]);
        long warmup = args.length > 4 ? Long.parseLong(args[4]) : 0;
        ExportSettings s = settings(args[2], args[3]);
        s.cursorDir = Files.createTempDirectory("export-run-cursor");
        try (ChainedLog log = ChainedLog.security(logDir).keys(KeyRing.load(key)).build()) {
            long last = log.durableSeq();
            long t0 = System.nanoTime();
            SecurityExporter e = new SecurityExporter(log, s, new SimpleMeterRegistry());
            e.start();
            while (e.ackedSeq() < warmup) {
                Thread.sleep(0, 200_000);
            }
            long t1 = System.nanoTime();
            double jit0 = jitCpu();
            while (e.ackedSeq() < last) {
                Thread.sleep(0, 200_000);
            }
            long t2 = System.nanoTime();
            System.out.printf("WARMUP records=%d seconds=%.3f rps=%.0f%n", warmup, (t1 - t0) / 1e9, warmup / ((t1 - t0) / 1e9));
            System.out.printf("RESULT impl=twinlane records=%d seconds=%.3f rps=%.0f%n", last - warmup, (t2 - t1) / 1e9,
                    (last - warmup) / ((t2 - t1) / 1e9));
            System.out.printf("JIT measured_run_jit_cpu=%.2fs%n", jitCpu() - jit0);
            System.out.println("PRODUCER " + producerMetrics());
            e.close();
        }
    }

    /** A few of the exporter's producer metrics (JMX), to compare with ProducerPerformance's. */
    static String producerMetrics() {
        StringBuilder sb = new StringBuilder();
        try {
            javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            for (javax.management.ObjectName n : mbs.queryNames(
                    new javax.management.ObjectName("kafka.producer:type=producer-metrics,client-id=*"), null)) {
                for (String a : new String[] {"batch-size-avg", "records-per-request-avg", "request-rate",
                        "request-latency-avg", "bufferpool-wait-ratio", "record-queue-time-avg"}) {
                    sb.append(a).append('=').append(String.format("%.1f", ((Number) mbs.getAttribute(n, a)).doubleValue()))
                            .append(' ');
                }
            }
        } catch (Exception ex) {
            sb.append(ex);
        }
        return sb.toString().trim();
    }

    /** CPU seconds of this JVM's JIT compiler threads so far (from /proc). */
    static double jitCpu() throws java.io.IOException {
        double total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("C")
                            && Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        String stat = Files.readString(t.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return total;
    }

    /** The exporter's producer settings, as the benchmark also hands them to ProducerPerformance. */
    static ExportSettings settings(String bootstrap, String prefix) {
        ExportSettings s = new ExportSettings().bootstrap(bootstrap);
        s.securityTopic = prefix + ".security";
        s.sealsTopic = prefix + ".seals";
        s.createTopics = false;
        s.closeTimeout = Duration.ofSeconds(30);
        return s;
    }
}
