package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.twinlane.records.Ring;

/**
 * The wake-up policy on the real kernel, through the real openat tracepoint (a watched
 * file's opens are security records): on a timer policy the kernel wakes the reader only
 * when the unread bytes cross the watermark, so a reader asleep with fewer sleeps on; per
 * record, one open wakes it. Needs root.
 */
@Timeout(120)
class WakeupPolicyTest {
    private static final int RING = 64 << 10;

    @Test
    void belowTheWatermarkTheReaderSleepsOnAndACrossingWakesIt() throws Exception {
        Root.require();
        WakeupPolicy policy = new WakeupPolicy(1_000_000_000L, 0.25);
        int watermark = policy.watermarkBytes(RING);
        try (Watched w = new Watched(policy)) {
            RingBufferReader reader = w.kernel.reader(Ring.SECURITY);
            w.open(3);
            int r = reader.await(300_000_000L);
            long backlog = reader.backlog();
            // Other processes' execs land in this ring too: a wake-up is fine only once they crossed it.
            assertTrue(r == 0 || backlog >= watermark,
                    "woken with " + backlog + " unread bytes, below the watermark of " + watermark);
            assertTrue(backlog > 0, "the opens were recorded");
            // A trimmed file_open record of this short path takes ~170 ring bytes (more than 120, the
            // fixed part and the ring header): watermark / 100 opens cross it whatever the path.
            w.open(watermark / 100);
            long t0 = System.nanoTime();
            int woken = reader.await(5_000_000_000L);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("wake-up policy: %d unread bytes after 3 opens (watermark %d), %s; crossing woke the reader after %d ms%n",
                    backlog, watermark, r == 0 ? "slept on" : "woken", ms);
            assertEquals(1, woken, "crossing the watermark woke the reader");
            assertTrue(ms < 1000, "woken at the crossing, not at the 5 s timeout: " + ms + " ms");
        }
    }

    @Test
    void aReaderAsleepOnAnIdleRingIsWokenByTheNextRecord() throws Exception {
        Root.require();
        try (Watched w = new Watched(new WakeupPolicy(1_000_000_000L, 0.25))) {
            RingBufferReader reader = w.kernel.reader(Ring.SECURITY);
            SleepingReader asleep = w.kernel.sleepingReader();
            boolean slept = false;
            for (int i = 0; i < 100 && !slept; i++) {   // other processes' execs may land in the ring too
                reader.drain(x -> { }, Integer.MAX_VALUE);
                slept = asleep.fallAsleep(reader);
            }
            assertTrue(slept, "the ring was empty at some point");
            w.open(1);   // far below the watermark: only the asleep flag can wake the reader
            long t0 = System.nanoTime();
            int woken = reader.await(5_000_000_000L);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("asleep reader: woken after %d ms by one record%n", ms);
            assertEquals(1, woken);
            assertTrue(ms < 1000, "woken by the record, not the timeout: " + ms + " ms");
            assertTrue(reader.backlog() > 0);
            reader.drain(x -> { }, Integer.MAX_VALUE);
            w.open(1);   // the program cleared the flag: the next record is below the watermark again
            assertTrue(reader.await(300_000_000L) == 0 || reader.backlog() >= new WakeupPolicy(1, 0.25).watermarkBytes(RING),
                    "once awake, the reader is not woken per record");
        }
    }

    @Test
    void perRecordOneOpenWakesTheReader() throws Exception {
        Root.require();
        try (Watched w = new Watched(WakeupPolicy.PER_RECORD)) {
            RingBufferReader reader = w.kernel.reader(Ring.SECURITY);
            reader.drain(x -> { }, Integer.MAX_VALUE);
            w.open(1);
            long t0 = System.nanoTime();
            int woken = reader.await(5_000_000_000L);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, woken);
            assertTrue(ms < 1000, "woken by the record, not the timeout: " + ms + " ms");
        }
    }

    /** A kernel ingest whose only watched path is a fresh temp file. */
    private static final class Watched implements AutoCloseable {
        final KernelIngest kernel;
        final Path file;

        Watched(WakeupPolicy policy) throws IOException {
            file = Files.createTempFile("twinlane-wakeup-", ".txt");
            kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(0).openTracepoint(true).ringBytes(Ring.SECURITY, RING)
                    .wakeup(Ring.SECURITY, policy)
                    .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))));
            kernel.policy().watchPrefix(file.toString());
        }

        void open(int times) throws IOException {
            for (int i = 0; i < times; i++) {
                try (FileInputStream in = new FileInputStream(file.toFile())) {
                    in.read();
                }
            }
        }

        @Override
        public void close() throws IOException {
            kernel.close();
            Files.deleteIfExists(file);
        }
    }
}
