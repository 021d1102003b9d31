package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * A clean close ends the log with a SEAL of its last record, durable before close returns: the
 * seal file and the identity file name it, so zeroing the last records before a restart is seen
 * against a copy of the seal, and the next start knows the stop was clean (no RECOVERY record).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CleanCloseTest {
    @TempDir
    Path tmp;

    @Test
    void aCleanStopEndsWithADurableSealOfTheLastRecord() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        byte[] lastMac;
        try (ChainedLog log = fx.builder().sealEvery(100_000, java.time.Duration.ofHours(1)).build()) {
            for (int i = 0; i < 150; i++) {
                log.appender().append(1, WalFixture.payload(i, 90));
            }
            last = log.appendedSeq();
            assertTrue(!Files.exists(fx.wal.resolve(ChainedLog.SEAL_FILE)), "no seal was due before the close");
        }
        List<byte[]> recs = Tamper.records(fx.wal);
        lastMac = StoredRecord.mac(recs.get((int) last - 1));
        byte[] end = recs.get(recs.size() - 1);
        assertEquals(last + 1, StoredRecord.seq(end), "one record more: the final SEAL");
        assertEquals(Kinds.SEAL, StoredRecord.kind(end));
        DurableSeal carried = DurableSeal.decode(end, RecordFormat.HEADER, StoredRecord.payloadLength(end), 0);
        assertEquals(last, carried.seq, "it seals the last record");
        assertArrayEquals(lastMac, carried.mac);
        DurableSeal file = DurableSeal.read(fx.wal.resolve(ChainedLog.SEAL_FILE));
        assertTrue(file.sameAs(carried) && file.recordSeq == last + 1, "the seal file names it when close returns");
        Identity id = Identity.read(fx.identityFile());
        assertEquals(Identity.CLOSED, id.state);
        assertEquals(last + 1, id.lastSeq);
        assertArrayEquals(StoredRecord.mac(end), id.lastMac);
        assertTrue(id.seals.get(0).sameAs(carried));
        System.out.println("clean stop: last record seq " + (last + 1) + " is a SEAL of seq " + carried.seq
                + "; seal file and identity (" + id.state + ") name it");

        // what (c) reported: the last records zeroed; a copy of the last seal sees it now
        Path offsite = Files.copy(fx.wal.resolve(ChainedLog.SEAL_FILE), tmp.resolve("seal.offsite"));
        CycleFiles.Doc victim = fx.doc(last - 5);
        WalFixture.overwrite(victim.file, victim.offset, new byte[(int) (fx.end() - victim.offset)]);
        ChainVerifier.Report cut = fx.verifier().verify(fx.wal, offsite);
        assertEquals(ChainVerifier.Failure.TRUNCATED, cut.failure(), cut.line());
        System.out.println("last 6 records zeroed, against the seal copy: " + cut.line());
    }

    @Test
    void theStartAfterACleanStopWritesNoRecovery() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            log.appender().append(1, new byte[]{1});
        }
        long last = fx.verify().lastSeq();
        try (ChainedLog log = fx.open()) {
            assertEquals(last, log.appendedSeq(), "nothing written at the start");
            assertTrue(log.recovery().contains("closed cleanly"), log.recovery());
        }
        assertEquals(last, fx.verify().lastSeq(), "nothing appended, and the last record is already a SEAL");
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok() && !r.counts().containsKey(Kinds.RECOVERY), r.line());
    }

    @Test
    void aLogWithoutASealKeyStillLeavesTheCleanCloseMark() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = ChainedLog.security(fx.wal).keys(fx.ring).build()) {
            log.appender().append(1, new byte[]{1});
        }
        Identity id = Identity.read(fx.identityFile());
        assertEquals(Identity.CLOSED, id.state);
        assertEquals(2, id.lastSeq);
        try (ChainedLog log = ChainedLog.security(fx.wal).keys(fx.ring).build()) {
            assertTrue(log.recovery().contains("closed cleanly"), log.recovery());
        }
    }
}
