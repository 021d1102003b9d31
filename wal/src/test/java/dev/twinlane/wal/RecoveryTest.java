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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Torn tails: the bytes of a killed write, and documents torn by a power loss (only where a
 * power loss was possible and nothing durable vouches for them).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RecoveryTest {
    @TempDir
    Path tmp;

    private static long fill(ChainedLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.appender().append(2, WalFixture.payload(i, 64 + i % 100));
        }
        return log.appendedSeq();
    }

    /** The last record's fields, read from the files. */
    private static byte[] lastRecord(WalFixture fx) throws Exception {
        List<byte[]> recs = Tamper.records(fx.wal);
        return recs.get(recs.size() - 1);
    }

    @Test
    void bytesOfAKilledWriteAreReportedZeroedAndTheChainContinues() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        ChainedLog dead = fx.open();
        last = fill(dead, 500);
        dead.abandon(); // as after kill -9: no final seal, no clean-close mark
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
            System.out.println("recovery: " + log.recovery());
            byte[] rec = lastRecord(fx);
            assertEquals(Kinds.RECOVERY, StoredRecord.kind(rec));
            assertEquals(last + 1, StoredRecord.seq(rec));
            assertEquals(Kinds.RECOVERY_LENGTH, StoredRecord.payloadLength(rec));
            assertEquals(154, RecordFormat.getLong(rec, RecordFormat.HEADER + 44), "zeroed bytes named");
            assertEquals(last, RecordFormat.getLong(rec, RecordFormat.HEADER + 52), "last seq kept named");
            assertEquals(last + 2, log.appender().append(3, new byte[]{42}));
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
    }

    @Test
    void documentsTornByPowerLossAreExcludedByARecoveryRecord() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.open();
        long last = fill(dead, 500);
        dead.abandon();
        long durable = Identity.read(fx.identityFile()).durableSeq; // what the writer had recorded durable
        assertTrue(durable < last + 1, "the torn documents are past what was known durable");
        fx.pretendRebooted(); // a power loss: what was not durable may be torn
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
            byte[] rec = lastRecord(fx);
            assertEquals(2, RecordFormat.getInt(rec, RecordFormat.HEADER), "torn documents named");
            assertEquals(durable, RecordFormat.getLong(rec, RecordFormat.HEADER + 60), "known durable named");
            assertEquals(Kinds.RECOVERY_NOT_CLOSED | Kinds.RECOVERY_NEW_BOOT, RecordFormat.getInt(rec, RecordFormat.HEADER + 68));
            assertEquals(last + 2, fill(log, 1), "RECOVERY took seq " + (last + 1));
        }
        try (ChainedLog log = fx.open()) { // the next restart steps over them as well
            assertEquals(last + 3, log.appendedSeq(), "the close sealed seq " + (last + 2));
            assertTrue(log.recovery().contains("closed cleanly"), log.recovery());
            fill(log, 10);
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertTrue(r.line().contains("2 torn document(s) discarded by RECOVERY"), r.line());
        System.out.println("power loss: " + r.line());
    }

    @Test
    void tornDocumentsWithoutARebootAreDamageNotTorn() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.open();
        long last = fill(dead, 500);
        dead.abandon(); // killed, but the machine kept running: the page cache lost nothing
        List<byte[]> recs = Tamper.records(fx.wal);
        byte[] a = recs.get(recs.size() - 1).clone();
        RecordFormat.putLong(a, RecordFormat.OFF_SEQ, last + 1);
        appendRaw(fx.wal, List.of(a));
        WalException e = assertThrows(WalException.class, fx::open);
        assertTrue(e.getMessage().contains("the chain breaks at seq " + (last + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("same boot"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void aBrokenChainUnderADurableSealIsNotTornButRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 500);
        }
        fx.pretendRebooted(); // even where a power loss could tear records, sealed ones are not torn
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
        long seq = StoredRecord.seq(victim.bytes);
        assertTrue(e.getMessage().contains("the chain breaks at seq " + seq + " (MAC does not verify), which was durable"),
                e.getMessage());
        assertEquals(seq, fx.verify().seq(), "the verifier names the same seq");
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
