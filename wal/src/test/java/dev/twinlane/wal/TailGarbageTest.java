package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Bytes after the last record that a killed writer cannot have left are damage, not a torn write:
 * the start is refused with one line and no file grows by a length read from them; with the
 * start-new-log option they are kept aside and appends go to a new log. What a killed writer can
 * leave (one record's bytes, the header not written yet) is zeroed and named by a RECOVERY record.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TailGarbageTest {
    @TempDir
    Path tmp;

    private static long fill(ChainedLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.appender().append(2, WalFixture.payload(i, 80 + i % 200));
        }
        return log.appendedSeq();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aHeaderClaiming749MBIsDamageAndGrowsNothing() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        try (ChainedLog log = fx.open()) {
            last = fill(log, 400);
        }
        last = fx.verify().lastSeq();
        Path file = fx.newestFile();
        long end = fx.end();
        byte[] garbage = random(4096, 7);
        // a document header of 749,000,240 bytes (a data document, complete), then noise
        RecordFormat.putInt(garbage, 0, 749_000_240);
        WalFixture.overwrite(file, end, garbage);
        long size = Files.size(file);

        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("a header claims a document of 749000240 bytes after seq " + last), e.getMessage());
        assertEquals(size, Files.size(file), "the file did not grow");
        System.out.println("refused: " + e.getMessage());

        try (ChainedLog log = fx.builder().buildStartingNewLogIfDamaged("garbage after the tail, kept for forensics")) {
            fill(log, 100);
            System.out.println("new log: " + log.recovery());
        }
        assertTrue(fx.verify().ok(), fx.verify().line());
        Path kept = StartCheckTest.retired(fx).resolve(file.getFileName());
        assertEquals(size, Files.size(kept), "kept as it was");
        // a fresh cycle file is Chronicle's first block (sparse): nowhere near the 749 MB the header claimed
        assertTrue(fx.cycleBytes() <= size, "the new log's files are no bigger than a fresh one: " + fx.cycleBytes());
        NewLog n = StartCheckTest.newLogRecord(fx);
        assertEquals(last, n.previousLastSeq());
        System.out.println("kept " + kept.getFileName() + " (" + size + " bytes); the new log's files: " + fx.cycleBytes()
                + " bytes; " + fx.verify().line());
    }

    @Test
    void unknownBytesFurtherThanATornWriteReachAreRefusedEvenAfterAKill() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.open();
        long last = fill(dead, 400);
        dead.abandon();
        Path file = fx.newestFile();
        long end = fx.end();
        WalFixture.overwrite(file, end + 4, random(100, 1)); // what a killed write can leave...
        WalFixture.overwrite(file, end + (1 << 20), random(300, 2)); // ...and what it cannot: 1 MiB on
        long size = Files.size(file);
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("unknown bytes at offset " + (end + (1 << 20))), e.getMessage());
        assertTrue(e.getMessage().contains("after the end of seq " + last), e.getMessage());
        assertEquals(size, Files.size(file));
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void aPlausibleButForeignDocumentAfterTheTailIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.open();
        long last = fill(dead, 400);
        dead.abandon();
        byte[] doc = random(1004, 3);
        RecordFormat.putInt(doc, 0, 1000); // a complete data document of 1000 bytes of noise
        WalFixture.overwrite(fx.newestFile(), fx.end(), doc);
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("the chain breaks at seq " + (last + 1)), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void garbageAfterACleanCloseIsNeverATornWrite() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        try (ChainedLog log = fx.open()) {
            fill(log, 400);
        }
        last = fx.verify().lastSeq();
        WalFixture.overwrite(fx.newestFile(), fx.end() + 4, random(100, 4));
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("after the last record (seq " + last + ") of a log that was closed cleanly"),
                e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void aKilledWritersPartialRecordIsZeroedAndAppendsContinue() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.open();
        long last = fill(dead, 400);
        dead.abandon();
        long size = fx.cycleBytes();
        WalFixture.overwrite(fx.newestFile(), fx.end() + 4, random(30_000, 5)); // header not written yet
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().contains("discarded a torn partial write of 30004 bytes"), log.recovery());
            assertEquals(last + 2, log.appender().append(1, new byte[]{1}));
            System.out.println("recovered: " + log.recovery());
        }
        assertTrue(fx.cycleBytes() <= size + (8L << 20), "grew at most by Chronicle's own step: " + size + " -> " + fx.cycleBytes());
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertEquals(1L, r.counts().get(Kinds.RECOVERY));
        System.out.println("after the torn write: " + r.line() + "; cycle files " + size + " -> " + fx.cycleBytes() + " bytes");
    }
}
