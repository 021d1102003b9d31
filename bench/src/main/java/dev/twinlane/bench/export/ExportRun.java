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
 * {@code RESULT impl=twinlane records=N seconds=S rps=R}. The clock starts before the exporter's
 * producer is created and stops when the broker has acknowledged the last record (acks=all).
 *
 * <p>Arguments: LOG_DIR KEY_FILE BOOTSTRAP TOPIC_PREFIX
 */
public final class ExportRun {
    private ExportRun() {
    }

    public static void main(String[] args) throws Exception {
        Path logDir = Path.of(args[0]);
        Path key = Path.of(args[1]);
        ExportSettings s = settings(args[2], args[3]);
        s.cursorDir = Files.createTempDirectory("export-run-cursor");
        try (ChainedLog log = ChainedLog.security(logDir).keys(KeyRing.load(key)).build()) {
            long last = log.durableSeq();
            long t0 = System.nanoTime();
            SecurityExporter e = new SecurityExporter(log, s, new SimpleMeterRegistry());
            e.start();
            while (e.ackedSeq() < last) {
                Thread.sleep(1);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            e.close();
            System.out.printf("RESULT impl=twinlane records=%d seconds=%.3f rps=%.0f%n", last, secs, last / secs);
        }
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
