package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The broker is absent when the exporter starts, comes up, is killed with SIGKILL mid-stream and
 * restarted, while a writer appends to the security log all along: the writer is never held up,
 * export resumes each time, and after dedup the SIEM sees every seq exactly once. Records are
 * kernel-shaped records appended through ChainedLog directly (a transport test).
 */
class BrokerOutageTest {
    @TempDir
    Path tmp;

    @Test
    void logsNeverWaitAndEverySeqArrivesExactlyOnceAcrossAKill() throws Exception {
        int port = KafkaBroker.freePort();
        KafkaBroker.Settings bs = new KafkaBroker.Settings().port(port).dataDir(tmp.resolve("broker"));
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        KafkaBroker broker = null;
        Writer w;
        long killedAt;
        long appendedDuringOutage;
        try (TestHost h = new TestHost(tmp, "host-x", TestHost.sealKey(tmp), 7)) {
            SecurityExporter e = new SecurityExporter(h.log, h.settings("127.0.0.1:" + port, "outage"), reg);
            e.start();
            w = new Writer(h);
            w.start();
            try {
                Thread.sleep(1500); // no broker yet: the exporter backs off, the writer goes on
                assertTrue(e.ackedSeq() == 0 && w.appended.get() > 500, "written while no broker: " + w.appended);
                broker = KafkaBroker.start(bs);
                KafkaBroker b0 = broker;
                IOException second = assertThrows(IOException.class, () -> KafkaBroker.start(
                        new KafkaBroker.Settings().port(KafkaBroker.freePort()).dataDir(b0.dataDir())));
                assertTrue(second.getMessage().contains("already runs"), second.getMessage());
                // Caught up with the writer: from here on records are in flight all the time.
                Siems.await("export after the broker came up", Duration.ofSeconds(90),
                        () -> e.ackedSeq() > 1000 && e.ackedSeq() > h.log.durableSeq() - 1000);
                Thread.sleep(500);
                System.out.printf("streaming: acked seq %d, durable seq %d; SIGKILL now%n", e.ackedSeq(), h.log.durableSeq());
                killedAt = h.log.appendedSeq();
                long before = w.appended.get();
                broker.kill();
                long t0 = System.nanoTime();
                Thread.sleep(2000);
                broker.restart();
                double outage = (System.nanoTime() - t0) / 1e9;
                appendedDuringOutage = w.appended.get() - before;
                System.out.printf("outage %.1f s: %d records appended meanwhile, durable seq %d (was %d at the kill)%n",
                        outage, appendedDuringOutage, h.log.durableSeq(), killedAt);
                assertTrue(appendedDuringOutage > outage * Writer.RATE / 2, "the writer kept its pace during the outage");
                assertTrue(h.log.durableSeq() > killedAt, "the log kept syncing");
                Siems.await("export after the restart", Duration.ofSeconds(90), () -> e.ackedSeq() > h.log.durableSeq() - 100
                        && e.ackedSeq() > killedAt + 500);
                Thread.sleep(1000);
            } finally {
                w.stop();
            }
            Siems.drained(h, e, Duration.ofSeconds(90));
            e.close();
            System.out.printf("writer: %d appends, slowest %.2f ms; exporter: %.0f sent, %.0f acked, %.0f failures%n",
                    w.appended.get(), w.maxNanos.get() / 1e6, reg.get("twinlane.export.records.sent").counter().count(),
                    reg.get("twinlane.export.records.acked").counter().count(),
                    reg.get("twinlane.export.failures").counter().count());
            assertTrue(w.maxNanos.get() < 250_000_000L, "no append waited on Kafka: slowest " + w.maxNanos.get() / 1e6 + " ms");
            assertTrue(reg.get("twinlane.export.failures").counter().count() > 0, "the outage was seen");
            assertEquals(0.0, reg.get("twinlane.export.lag.records").gauge().value(), "no lag at the end");

            Set<Long> app = new HashSet<>();
            try (ChainReader r = h.log.reader()) {
                while (r.next()) {
                    if (r.kind() <= Kinds.MAX_APP_KIND) {
                        app.add(r.seq());
                    }
                }
            }
            Siems.Run run = Siems.consume(broker.bootstrap(), "outage", "siem-outage", List.of(h.keyFile),
                    tmp.resolve("seal.pub"), tmp.resolve("outage.jsonl"));
            System.out.println("outage: " + run.stats());
            assertEquals(List.of(), run.alertKeys(), "no gap, no tampering");
            Set<Long> seen = new HashSet<>();
            for (JsonNode ev : run.events()) {
                assertTrue(seen.add(ev.path("unmapped").path("verification").path("seq").asLong()), "once: " + ev);
            }
            assertEquals(app, seen, "every seq exactly once after dedup");
        } finally {
            if (broker != null) {
                broker.stop();
            }
        }
    }

    /** Appends kernel-shaped records at a steady rate, timing each append. */
    static final class Writer {
        static final int RATE = 2000;
        final AtomicLong appended = new AtomicLong();
        final AtomicLong maxNanos = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Writer(TestHost h) {
            thread = new Thread(() -> {
                long next = System.nanoTime();
                while (running.get()) {
                    for (int i = 0; i < RATE / 100; i++) {
                        byte[] r = h.records.next((int) appended.get());
                        long t = System.nanoTime();
                        h.log.appender().append(r[0] & 0xFF, r);
                        maxNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
                        appended.incrementAndGet();
                    }
                    next += 10_000_000L;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                    }
                }
            }, "test-writer");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
