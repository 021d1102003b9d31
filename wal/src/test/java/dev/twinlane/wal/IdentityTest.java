package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * A log never silently restarts: the writer remembers its log outside the log directory (the
 * identity file), so a deleted, emptied, swapped or rolled-back directory is refused with one line;
 * with the start-new-log option a new log starts whose NEW_LOG record names the previous log, its
 * last seq, what was found and the reason given.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IdentityTest {
    @TempDir
    Path tmp;

    private static void fill(ChainedLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.appender().append(1, WalFixture.payload(i, 100));
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDeletedLogDirectoryIsRefusedThenReplacedOnlyWhenToldWithTheReasonRecorded() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        String oldId;
        try (ChainedLog log = fx.open()) {
            oldId = log.logId();
            fill(log, 250);
        }
        long last = fx.verify().lastSeq();
        Identity id = Identity.read(fx.identityFile());
        assertEquals(Identity.CLOSED, id.state);
        assertEquals(last, id.durableSeq);
        delete(fx.wal); // the security directory deleted, keys kept

        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("holds no log, but log " + oldId + " was there (seq " + last + " durable"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--start-new-log"), e.getMessage());
        assertTrue(Tamper.records(fx.wal).isEmpty(), "no new chain was started");
        System.out.println("refused: " + e.getMessage());

        String newId;
        try (ChainedLog log = fx.builder().buildStartingNewLogIfDamaged("security directory lost with the old disk")) {
            newId = log.logId();
            fill(log, 3);
        }
        assertNotEquals(oldId, newId);
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        NewLog n = StartCheckTest.newLogRecord(fx);
        assertEquals(oldId, n.previousLogIdHex());
        assertEquals(last, n.previousLastSeq());
        assertEquals(0, n.firstBadSeq());
        assertEquals("missing", n.causeName());
        assertEquals("security directory lost with the old disk", n.reason());
        assertEquals(newId, Identity.read(fx.identityFile()).logIdHex());
        try (ChainedLog log = fx.open()) { // and from now on that log is the one remembered
            assertEquals(newId, log.logId());
        }
        System.out.println("new log " + newId + ": " + r.line() + "; NEW_LOG: previous " + n.previousLogIdHex()
                + " up to seq " + n.previousLastSeq() + ", " + n.causeName() + ", '" + n.reason() + "'");
    }

    @Test
    void aSwappedLogDirectoryIsRefusedThenKeptAsideWhenTold() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        String a;
        try (ChainedLog log = fx.open()) {
            a = log.logId();
            fill(log, 100);
        }
        long lastA = fx.verify().lastSeq();
        // another log (same keys), made elsewhere, put in its place
        Path other = tmp.resolve("other");
        String b;
        try (ChainedLog log = ChainedLog.security(other).keys(fx.ring).sealKey(fx.sealKey).build()) {
            b = log.logId();
            fill(log, 40);
        }
        Files.move(fx.wal, tmp.resolve("wal-a"));
        Files.move(other, fx.wal);

        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("holds log " + b + ", not log " + a), e.getMessage());
        System.out.println("refused: " + e.getMessage());

        try (ChainedLog log = fx.builder().buildStartingNewLogIfDamaged("restored the wrong backup")) {
            fill(log, 2);
        }
        NewLog n = StartCheckTest.newLogRecord(fx);
        assertEquals(a, n.previousLogIdHex(), "names the log that was remembered there");
        assertEquals(lastA, n.previousLastSeq());
        assertEquals("foreign", n.causeName());
        assertTrue(n.problem().contains(b), n.problem());
        ChainVerifier.Report kept = fx.verifier().verify(StartCheckTest.retired(fx), null);
        assertTrue(kept.ok() && kept.lastSeq() == 42, "the foreign log is kept as it was: " + kept.line());
        System.out.println("NEW_LOG: previous " + n.previousLogIdHex() + " up to " + n.previousLastSeq() + " ("
                + n.causeName() + "); kept aside: " + kept.line());
    }

    @Test
    void anOlderCopyOfTheLogIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 100);
        }
        Path copy = tmp.resolve("backup");
        Files.createDirectories(copy);
        for (Path f : Files.list(fx.wal).toList()) {
            Files.copy(f, copy.resolve(f.getFileName()));
        }
        long copied = fx.verify().lastSeq();
        try (ChainedLog log = fx.open()) {
            fill(log, 100);
        }
        long last = fx.verify().lastSeq();
        for (Path f : Files.list(copy).toList()) { // the directory rolled back to the older copy
            Files.copy(f, fx.wal.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("ends at seq " + copied + ", but seq " + last + " was durable"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void aCleanCloseIsRememberedAndAnUncleanOneRecorded() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 10);
        }
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().contains("closed cleanly"), log.recovery());
            assertEquals(Identity.OPEN, Identity.read(fx.identityFile()).state, "open while the writer runs");
            fill(log, 10);
        }
        Files.delete(fx.identityFile()); // lost (or a log from before identity files): no clean-close mark
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().contains("did not close cleanly") && log.recovery().contains("no identity file"),
                    log.recovery());
            System.out.println("without an identity file: " + log.recovery());
        }
        byte[] rec = Tamper.records(fx.wal).get((int) fx.verify().lastSeq() - 2);
        assertEquals(Kinds.RECOVERY, StoredRecord.kind(rec));
        assertEquals(Kinds.RECOVERY_NOT_CLOSED | Kinds.RECOVERY_NEW_BOOT | Kinds.RECOVERY_NO_IDENTITY,
                RecordFormat.getInt(rec, RecordFormat.HEADER + 68));
        assertTrue(fx.verify().ok());
    }

    @Test
    void theSealsKeptReachAtLeast4096RecordsBackAndNotMuchFurther() {
        byte[] log = new byte[16];
        for (int every : new int[]{1, 57, 201, 1000, 5000, 100_000}) {
            java.util.List<DurableSeal> kept = java.util.List.of();
            for (long seq = every; seq < 200L * every + 50_000; seq += every) {
                DurableSeal s = new DurableSeal(seq, new byte[32], 0, log, new byte[64], seq + 1, "f.cq4", seq);
                kept = Identity.keep(kept, s, TailRecovery.TAIL);
                assertTrue(kept.size() <= Identity.SEALS, "at most " + Identity.SEALS);
                assertTrue(kept.get(0) == s, "the newest first");
                long oldest = kept.get(kept.size() - 1).recordSeq;
                if (seq + 1 > TailRecovery.TAIL + 2L * every) {
                    assertTrue(oldest <= seq + 1 - TailRecovery.TAIL, "every " + every + ", at " + seq + ": oldest " + oldest);
                }
                assertTrue(seq + 1 - oldest <= 2L * TailRecovery.TAIL + 2L * every,
                        "every " + every + ", at " + seq + ": oldest " + oldest + " is too far back");
            }
            System.out.println("seals every " + every + " records: kept " + kept.size() + ", reaching back "
                    + (kept.get(0).recordSeq - kept.get(kept.size() - 1).recordSeq) + " records");
        }
    }

    @Test
    void theIdentityFileMustBeOutsideTheDirectory() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        WalException e = assertThrows(WalException.class,
                () -> fx.builder().identityFile(fx.wal.resolve("wal.identity")).build());
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("must be outside the log directory"), e.getMessage());
    }
}
