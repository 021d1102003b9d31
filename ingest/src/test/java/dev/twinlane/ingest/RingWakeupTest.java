package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.Ring;

/**
 * A reader asleep on the product's security ring, set to be woken per record, is woken for every record,
 * even while the rest of the system opens files the hooks see but do not
 * record. (Found by the end-to-end benchmark: the openat tracepoint reserved
 * a record for every open and discarded unwatched ones without a wakeup; a
 * reader waiting at such a record slept through the records behind it until
 * its timeout.) Real kernel, real hooks; needs root.
 */
class RingWakeupTest {
    private static final int RECORDS = 1500;
    private static final int TIMEOUT_MS = 200;
    private static final int GIVE_UP_AFTER = 3;

    @Test
    void everyRecordWakesTheReaderWhileUnwatchedOpensRun() throws Exception {
        Root.require();
        AtomicBoolean opening = new AtomicBoolean(true);
        try (KernelIngest kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(0).openTracepoint(true)
                .wakeup(Ring.SECURITY, WakeupPolicy.PER_RECORD)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))));
                LoadGenerator gen = LoadGenerator.attachedTo(kernel, 1 << 12)) {
            RingBufferReader reader = kernel.reader(Ring.SECURITY);
            Thread opener = new Thread(() -> openUnwatchedFiles(opening), "unwatched-opens");
            Thread emitter = new Thread(() -> emitOneEveryMillisecond(gen), "emitter");
            opener.start();
            emitter.start();
            int[] seen = {0};
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (seen[0] < RECORDS && reader.lateWakeups() < GIVE_UP_AFTER && System.nanoTime() < deadline) {
                reader.poll(r -> {
                    if (r.u8(RecordLayout.HEADER.field("source").offset()) == 4) {
                        seen[0]++;
                    }
                }, TIMEOUT_MS, 64);
            }
            opening.set(false);
            emitter.join();
            opener.join();
            System.out.printf("ring wakeups: %d records, %d sleeps ran to their %d ms timeout with records waiting%n",
                    seen[0], reader.lateWakeups(), TIMEOUT_MS);
            assertEquals(0, reader.lateWakeups(), "the reader slept through committed records");
            assertEquals(RECORDS, seen[0]);
        } finally {
            opening.set(false);
        }
    }

    private static void emitOneEveryMillisecond(LoadGenerator gen) {
        for (int i = 0; i < RECORDS; i++) {
            gen.emitSecurityFrom(i, 1);
            LockSupport.parkNanos(1_000_000L);
        }
    }

    private static void openUnwatchedFiles(AtomicBoolean opening) {
        byte[] buf = new byte[64];
        while (opening.get()) {
            try (FileInputStream in = new FileInputStream("/proc/self/stat")) {
                in.read(buf);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
