package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append path: no allocation, durability publication, strict mode, reader, seal side file. */
class AppendPathTest {
    @TempDir
    Path tmp;

    @Test
    void appendAllocatesNothing() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] p = WalFixture.payload(1, 256);
        try (ChainedLog log = fx.builder().epochEvery(65_536, Duration.ofSeconds(60))
                .sealEvery(1_000_000, Duration.ofSeconds(3600)).build()) {
            ChainAppender a = log.appender();
            for (int i = 0; i < 200_000; i++) {
                a.append(1 + (i & 3), p);
            }
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            int n = 200_000;
            for (int i = 0; i < n; i++) {
                a.append(1 + (i & 3), p);
            }
            long perRecord = (mx.getThreadAllocatedBytes(tid) - before) / n;
            System.out.println("append path: " + perRecord + " bytes allocated per record");
            assertEquals(0, perRecord, "bytes allocated per append");
        }
    }

    @Test
    void durableSeqIsPublishedAndTheReaderStopsThere() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        AtomicLong heard = new AtomicLong();
        try (ChainedLog log = fx.builder().syncEvery(Duration.ofMillis(50)).onDurable(heard::set).build()) {
            for (int i = 0; i < 100; i++) {
                log.appender().append(1, WalFixture.payload(i, 10));
            }
            long appended = log.appendedSeq();
            long deadline = System.nanoTime() + 5_000_000_000L;
            // the syncer publishes the durable seq, then calls the listener: wait for both
            while ((log.durableSeq() < appended || heard.get() < appended) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(appended, log.durableSeq());
            assertEquals(appended, heard.get());
            try (ChainReader r = log.reader()) {
                long n = 0;
                while (r.next()) {
                    assertEquals(++n, r.seq());
                }
                assertEquals(appended, n);
                log.appender().append(1, new byte[5]); // appended, not yet durable
                assertTrue(!r.next() || log.durableSeq() > appended, "the reader waits for durability");
                log.syncNow();
                assertTrue(r.next());
                assertEquals(appended + 1, r.seq());
                assertEquals(5, r.payloadLength());
            }
        }
    }

    @Test
    void strictModeMakesEachRecordDurableBeforeAppendReturns() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.builder().syncEachRecord().build()) {
            for (int i = 0; i < 20; i++) {
                long seq = log.appender().append(1, WalFixture.payload(i, 10));
                assertTrue(log.durableSeq() >= seq, "durable " + log.durableSeq() + " < " + seq);
            }
        }
    }

    @Test
    void sealSideFileNamesOnlyADurableSealAndVerifies() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.builder().sealEvery(1_000_000, Duration.ofMillis(50)).build()) {
            for (int i = 0; i < 50; i++) {
                log.appender().append(1, WalFixture.payload(i, 10));
            }
            Thread.sleep(60);
            assertTrue(log.appender().sealIfDue() > 0, "the idle writer's timed seal");
            Thread.sleep(300); // its group commit, then the side file
            DurableSeal s = DurableSeal.read(fx.wal.resolve(ChainedLog.SEAL_FILE));
            assertTrue(s.recordSeq <= log.durableSeq(), "side file ahead of durability");
            assertTrue(s.verify(fx.sealKey.publicKey()));
            assertEquals(s.recordSeq - 1, s.seq);
        }
        ChainVerifier.Report r = fx.verifier().verify(fx.wal, fx.wal.resolve(ChainedLog.SEAL_FILE));
        assertTrue(r.ok(), r.line());
    }

    @Test
    void timedSealsAreWrittenByTheAppendingThreadOnly() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        // The log's time is the test's: a slow start on a loaded machine cannot seal early.
        long[] mono = {1_000_000_000L};
        WalClock clock = new WalClock() {
            @Override
            public long wallNanos() {
                return System.currentTimeMillis() * 1_000_000L;
            }

            @Override
            public long monoNanos() {
                return mono[0];
            }
        };
        try (ChainedLog log = fx.builder().clock(clock).sealEvery(1_000_000, Duration.ofMillis(50)).build()) {
            ChainAppender a = log.appender();
            long first = a.append(1, WalFixture.payload(1, 10));
            mono[0] += 200_000_000L;
            Thread.sleep(200);
            // no other thread sealed meanwhile: the next seq is still the one after the record
            assertEquals(first + 1, a.append(1, WalFixture.payload(2, 10)), "the append past the interval");
            assertEquals(first + 3, a.append(1, WalFixture.payload(3, 10)), "after the SEAL that append wrote itself");
            assertEquals(-1, a.sealIfDue(), "within the interval");
            mono[0] += 60_000_000L;
            assertEquals(first + 4, a.sealIfDue(), "the idle writer's timed seal");
            assertEquals(-1, a.sealIfDue(), "nothing appended since");
        }
        ChainVerifier.Report r = fx.verifier().verify(fx.wal, null);
        assertTrue(r.ok(), r.line());
    }
}
