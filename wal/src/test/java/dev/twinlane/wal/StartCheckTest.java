package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * What a start checks (the whole log when it is short, else from a durable seal at least 4,096
 * records back, and everything after it), with a zeroed 4 KiB block as an operator's dd makes it:
 * refused with one line that names the first bad seq (the one `twinlane verify` names too) and the
 * way out; with that way out (buildStartingNewLogIfDamaged) the damaged files are kept aside and a new log
 * starts with a NEW_LOG record saying why.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StartCheckTest {
    @TempDir
    Path tmp;

    private static void fill(ChainedLog log, int n, int len) {
        for (int i = 0; i < n; i++) {
            log.appender().append(1 + i % 3, WalFixture.payload(i, len));
        }
    }

    /**
     * Zeroes the 4 KiB block that starts inside record {@code near} or the first record after it
     * that crosses a block boundary (its header stays, so the verifier reads it and finds it
     * modified, as in the report: "FAIL seq 248: modified"); returns that record's seq.
     */
    private static long zeroBlockInside(WalFixture fx, long near) throws Exception {
        for (CycleFiles.Doc d : fx.docs()) {
            long seq = StoredRecord.seq(d.bytes);
            long blockStart = ((d.offset + 4 + 8) / 4096 + 1) * 4096;
            if (seq >= near && blockStart < d.end()) {
                WalFixture.overwrite(d.file, blockStart, new byte[4096]); // dd if=/dev/zero bs=4096 seek=N count=1 conv=notrunc
                System.out.println("zeroed block " + blockStart / 4096 + " of " + d.file.getFileName()
                        + " (starts inside seq " + seq + ")");
                return seq;
            }
        }
        throw new AssertionError("no record near " + near + " crosses a block boundary");
    }

    @Test
    void zeroedBlockInAShortCleanlyClosedLogIsRefusedWithTheFirstBadSeq() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        String oldId;
        try (ChainedLog log = fx.open()) {
            oldId = log.logId();
            fill(log, 300, 700); // about the log of the report: a few hundred records, seals every 200
        }
        long bad = zeroBlockInside(fx, 240);
        ChainVerifier.Report v = fx.verify();
        assertEquals(ChainVerifier.Failure.MODIFIED, v.failure(), v.line());
        assertEquals(bad, v.seq(), v.line());
        long size = fx.cycleBytes();
        int records = fx.docs().size();

        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("the chain breaks at seq " + bad + " (MAC does not verify), which was durable"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--start-new-log REASON") && e.getMessage().contains("buildStartingNewLogIfDamaged"),
                "names the way out: " + e.getMessage());
        assertEquals(size, fx.cycleBytes(), "nothing grew");
        assertEquals(records, fx.docs().size(), "nothing was appended after the damage");
        System.out.println("verify: " + v.line());
        System.out.println("refused: " + e.getMessage());

        // the way out: the damaged log is kept aside, a new one says why
        try (ChainedLog log = fx.builder().buildStartingNewLogIfDamaged("disk checked, block 73 lost (ticket 4711)")) {
            assertNotEquals(oldId, log.logId());
            System.out.println("started anew: " + log.recovery());
            fill(log, 5, 100);
        }
        ChainVerifier.Report fresh = fx.verify();
        assertTrue(fresh.ok(), fresh.line());
        assertEquals(1L, fresh.counts().get(Kinds.NEW_LOG));
        NewLog n = newLogRecord(fx);
        assertEquals(oldId, n.previousLogIdHex());
        assertEquals(bad, n.firstBadSeq());
        assertEquals(bad - 1, n.previousLastSeq());
        assertEquals("damaged", n.causeName());
        assertEquals("disk checked, block 73 lost (ticket 4711)", n.reason());
        assertTrue(n.problem().contains("the chain breaks at seq " + bad), n.problem());
        Path retired = retired(fx);
        ChainVerifier.Report kept = fx.verifier().verify(retired, null);
        assertEquals(bad, kept.seq(), "the damaged log is kept as it was: " + kept.line());
        assertTrue(Files.exists(retired.resolve(ChainedLog.SEAL_FILE)) && Files.exists(retired.resolve(KeyState.FILE)));
        assertEquals(HexFormat.of().formatHex(Identity.read(fx.identityFile()).logId), Identity.read(fx.identityFile()).logIdHex());
        assertNotEquals(oldId, Identity.read(fx.identityFile()).logIdHex(), "the identity names the new log");
        System.out.println("new log: " + fresh.line() + "; NEW_LOG names " + n.previousLogIdHex() + " last good seq "
                + n.previousLastSeq() + ", first bad " + n.firstBadSeq() + ", reason '" + n.reason() + "'");
        System.out.println("kept aside in " + retired.getFileName() + ": " + kept.line());
    }

    @Test
    void aLongLogIsCheckedFromADurableSealAtLeast4096RecordsBack() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 12_000, 60);
        }
        long last = fx.verify().lastSeq();
        // a block inside the checked span: refused
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        for (Path f : Files.list(fx.wal).toList()) {
            Files.copy(f, copy.resolve(f.getFileName()));
        }
        long bad = zeroBlockInside(fx, last - 3000);
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("the chain breaks at seq " + bad + " "), e.getMessage());
        assertEquals(bad, fx.verify().seq());
        System.out.println("damage " + (last - bad) + " records before the end: refused: " + e.getMessage());

        // far before it: sealed long ago, left to `twinlane verify` (and to the SIEM's copy)
        for (Path f : Files.list(copy).toList()) {
            Files.copy(f, fx.wal.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long old = zeroBlockInside(fx, 1000);
        try (ChainedLog log = fx.open()) {
            System.out.println("damage at seq " + old + " of " + last + ": start " + log.recovery());
            assertTrue(log.recovery().contains("(from the durable seal of seq "), log.recovery());
        }
        ChainVerifier.Report v = fx.verify();
        assertEquals(old, v.seq(), v.line());
        System.out.println("verify finds it: " + v.line());
    }

    @Test
    void zeroedBlockInTheUnsealedTailAfterAKillIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        ChainedLog dead = fx.builder().sealEvery(1000, java.time.Duration.ofHours(1)).build();
        fill(dead, 1800, 200);
        dead.syncNow();
        dead.abandon(); // killed: no final seal; the last 800 records are after the last seal
        long sealed = DurableSeal.read(fx.wal.resolve(ChainedLog.SEAL_FILE)).seq;
        long bad = zeroBlockInside(fx, sealed + 300);
        WalException e = assertThrows(WalException.class, fx::open);
        WalFixture.oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("the chain breaks at seq " + bad + " (MAC does not verify)"), e.getMessage());
        // either it was recorded durable (the seal file and identity are written with what the group commit
        // covered), or not, and then no power was lost (same boot): a kill tears nothing but the write it interrupts
        assertTrue(e.getMessage().contains("which was durable") || e.getMessage().contains("same boot"), e.getMessage());
        assertEquals(bad, fx.verify().seq());
        System.out.println("unsealed tail, seal at " + sealed + ": refused: " + e.getMessage());
    }

    @Test
    void aLogCreatedWithoutASealKeyIsCheckedFromItsSealsOnceItHasOne() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = ChainedLog.observability(fx.wal).keys(fx.ring).build()) { // no seal key
            fill(log, 100, 50);
        }
        try (ChainedLog log = fx.builder().build()) { // now with one (the agent's observability log after an upgrade)
            assertTrue(log.recovery().contains("(from the GENESIS)"), log.recovery());
            fill(log, 6000, 50);
        }
        try (ChainedLog log = fx.builder().build()) {
            assertTrue(log.recovery().contains("(from the durable seal of seq "), log.recovery());
            System.out.println("unsealed GENESIS, sealed since: " + log.recovery());
        }
        assertTrue(fx.verify().ok(), fx.verify().line());
    }

    @Test
    void aSealFileOfAnOlderWriterIsFoundInTheNewestFilesNotTheWholeLogRead() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            fill(log, 6000, 50);
        }
        // as an older writer left them: a seal file without the SEAL record's place, no identity file
        Path sealFile = fx.wal.resolve(ChainedLog.SEAL_FILE);
        Files.writeString(sealFile, Files.readString(sealFile).replaceAll("(?m)^seal-record-(file|offset)=.*\n", ""));
        Files.delete(fx.identityFile());
        long sealed = DurableSeal.read(sealFile).recordSeq;
        try (ChainedLog log = fx.open()) {
            assertTrue(log.recovery().startsWith("1 records verified, seq " + sealed + ".." + sealed), log.recovery());
            System.out.println("older seal file: " + log.recovery());
        }
        assertTrue(fx.verify().ok(), fx.verify().line());
    }

    static NewLog newLogRecord(WalFixture fx) throws Exception {
        List<byte[]> recs = Tamper.records(fx.wal);
        byte[] r = recs.get(1);
        assertEquals(Kinds.NEW_LOG, StoredRecord.kind(r), "NEW_LOG follows the GENESIS");
        assertEquals(2, StoredRecord.seq(r));
        NewLog n = NewLog.decode(r, RecordFormat.HEADER, StoredRecord.payloadLength(r));
        assertArrayEquals(n.previousLogId(), HexFormat.of().parseHex(n.previousLogIdHex()));
        return n;
    }

    static Path retired(WalFixture fx) throws Exception {
        try (Stream<Path> s = Files.list(fx.wal)) {
            List<Path> r = s.filter(p -> p.getFileName().toString().startsWith("retired-")).toList();
            assertEquals(1, r.size(), "one retired directory: " + r);
            return r.get(0);
        }
    }
}
