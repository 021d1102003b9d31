package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-full path for real: the log lives on a 64 MiB tmpfs mounted for the test, a filler
 * file takes the rest, appends fail loudly and cleanly (also across cycle rolls), the chain
 * stays verifiable, and appends resume once the filler is gone.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void fullDiskIsLoudNeverCorruptsAndAppendsResume() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("tmpfs"));
        String why = mount(mnt);
        Assumptions.assumeTrue(why == null, "SKIPPED disk-full test: cannot mount a tmpfs here (" + why + ")");
        try {
            run(mnt);
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void run(Path mnt) throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Path wal = mnt.resolve("wal");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] p = WalFixture.payload(1, 400);
        try (ChainedLog log = ChainedLog.security(wal).keys(fx.ring).sealKey(fx.sealKey).maxPayload(1024)
                .rollCycle(TestRollCycles.TEST_SECONDLY).syncEvery(Duration.ofMillis(20))
                .sealEvery(500, Duration.ofMillis(200)).meterRegistry(meters).build()) {
            for (int i = 0; i < 2000; i++) {
                log.appender().append(1, p);
            }
            Path filler = mnt.resolve("filler");
            fill(filler);
            long ok = 0;
            long failed = 0;
            long firstFailure = 0;
            String lastRefusal = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try {
                    log.appender().append(1, p);
                    ok++;
                } catch (WalException.Full e) {
                    lastRefusal = e.getMessage();
                    if (failed++ == 0) {
                        firstFailure = System.nanoTime();
                        System.out.println("disk full: first refusal after " + ok + " more records: " + e.getMessage());
                    }
                    if (System.nanoTime() - firstFailure > TimeUnit.MILLISECONDS.toNanos(2500)) {
                        break; // refused across at least two cycle boundaries
                    }
                    Thread.sleep(1);
                }
            }
            assertTrue(failed > 0, "the disk never filled");
            long last = log.appendedSeq();
            assertTrue(!log.status().healthy(), log.status().toString());
            assertEquals("append: " + lastRefusal, log.status().problem(), "the status names the refusal");
            assertTrue(lastRefusal.contains("No space left on device (file system full)")
                    || lastRefusal.matches("file system of .* is full \\(\\d+ bytes free, \\d+ needed to start a cycle file\\)"),
                    lastRefusal);
            double errors = meters.get("twinlane.wal.io.errors").tag("op", "append").counter().count();
            assertTrue(errors >= 1, "io error counter " + errors);
            ChainVerifier.Report whileFull = fx.verifier().verify(wal, null);
            assertTrue(whileFull.ok(), whileFull.line());
            assertEquals(last, whileFull.lastSeq());

            Files.delete(filler);
            assertEquals(last + 1, log.appender().append(2, p), "appends resume where they stopped");
            for (int i = 0; i < 3000; i++) {
                log.appender().append(3, p);
            }
            // what failed while the disk was full (seal file, identity file, key state) is written
            // again by the next group commit that has something to write: then nothing is left
            log.appender().seal();
            log.syncNow();
            assertTrue(log.status().healthy(), log.status().toString());
            assertEquals(null, log.status().problem());
            System.out.println("disk full: " + ok + " appended into reserved space, " + failed
                    + " refused, " + (long) errors + " io errors counted, resumed at seq " + (last + 1));
        }
        ChainVerifier.Report r = fx.verifier().verify(wal, null);
        assertTrue(r.ok(), r.line());
        System.out.println("disk full: " + r.line());
    }

    private static void fill(Path filler) throws IOException {
        byte[] mb = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(mb);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("space")) {
                fail("filling the tmpfs: " + e);
            }
        }
    }

    /** Null when mounted, else why not. */
    private static String mount(Path mnt) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? null : "mount: " + out;
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }
}
