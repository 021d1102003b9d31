package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn tails: the bytes of a killed write, and documents torn by a power loss. */
class RecoveryTest {
    @TempDir
    Path tmp;

    private static long fill(ChainedLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.appender().append(2, WalFixture.payload(i, 64 + i % 100));
        }
        return log.appendedSeq();
    }

    @Test
    void bytesOfAKilledWriteAreReportedZeroedAndTheChainContinues() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        try (ChainedLog log = fx.open()) {
            last = fill(log, 500);
        }
        Path file = CycleFiles.list(fx.wal).get(0);
        long end;
        try (CycleFiles.Reader rd = new CycleFiles.Reader(file, 0)) {
            while (rd.next() != null) {
                // to the end
            }
            end = rd.position();
        }
        byte[] torn = new byte[150];
        java.util.Arrays.fill(torn, (byte) 0x5a);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(torn), end + 4); // a record's bytes without its header
        }
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().contains("discarded a torn partial write of 154 bytes"), log.recovery());
            assertEquals(last + 1, log.appender().append(3, new byte[]{42}));
            System.out.println("recovery: " + log.recovery());
        }
        VerifyReport r = fx.verify();
        assertTrue(r.ok(), r.line());
    }

    @Test
    void documentsTornByPowerLossAreExcludedByARecoveryRecord() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        try (ChainedLog log = fx.open()) {
            last = fill(log, 500);
        }
        Files.delete(fx.wal.resolve(ChainedLog.SEAL_FILE)); // a seal written before the crash would not cover these
        // complete Chronicle documents whose contents did not all reach the disk
        List<byte[]> recs = Tamper.records(fx.wal);
        byte[] a = recs.get(recs.size() - 1).clone();
        RecordFormat.putLong(a, RecordFormat.OFF_SEQ, last + 1);
        java.util.Arrays.fill(a, RecordFormat.HEADER, a.length, (byte) 0);
        byte[] b = new byte[300];
        appendRaw(fx.wal, List.of(a, b));
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().contains("2 torn document(s)"), log.recovery());
            System.out.println("recovery: " + log.recovery());
            assertEquals(last + 2, fill(log, 1), "RECOVERY took seq " + (last + 1));
        }
        try (ChainedLog log = fx.open()) { // the next restart steps over them as well
            assertEquals(last + 2, log.appendedSeq());
            fill(log, 10);
        }
        VerifyReport r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertTrue(r.line().contains("2 torn document(s) discarded by RECOVERY"), r.line());
        System.out.println("power loss: " + r.line());
    }

    @Test
    void aBrokenChainUnderADurableSealIsNotTornButRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 500);
        }
        Path file = CycleFiles.list(fx.wal).get(0);
        CycleFiles.Doc victim = null;
        try (CycleFiles.Reader rd = new CycleFiles.Reader(file, 0)) {
            for (int i = 0; i < 300; i++) {
                victim = rd.next();
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{(byte) 0xff}), victim.offset + 4 + RecordFormat.HEADER);
        }
        WalException e = assertThrows(WalException.class, fx::open);
        assertTrue(e.getMessage().contains("sealed durable"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    static void appendRaw(Path dir, List<byte[]> docs) {
        try (var q = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_DAILY).build();
             var app = q.createAppender()) {
            for (byte[] d : docs) {
                try (var dc = app.writingDocument()) {
                    dc.wire().bytes().write(d);
                }
            }
        }
    }
}
