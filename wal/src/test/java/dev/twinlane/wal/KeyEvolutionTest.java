package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/** Epochs by count and by time, and rotation to a new root key. */
class KeyEvolutionTest {
    @TempDir
    Path tmp;

    /** A clock the test moves. */
    static final class TestClock implements WalClock {
        long wall = 1_700_000_000_000_000_000L;
        long mono = 1_000;

        @Override
        public long wallNanos() {
            return wall;
        }

        @Override
        public long monoNanos() {
            return mono++;
        }
    }

    @Test
    void epochsFollowCountAndTimeAndTheVerifierInsists() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        TestClock clock = new TestClock();
        try (ChainedLog log = fx.builder().clock(clock).epochEvery(100, Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 1000; i++) {
                log.appender().append(1, WalFixture.payload(i, 32));
                clock.wall += i % 50 == 0 ? 25_000_000_000L : 1_000_000; // idle gaps of 25 s now and then
            }
            clock.wall -= 3_600_000_000_000L; // the wall clock steps back an hour
            for (int i = 0; i < 50; i++) {
                log.appender().append(1, WalFixture.payload(i, 32));
            }
        }
        List<byte[]> recs = Tamper.records(fx.wal);
        int maxEpoch = 0;
        for (byte[] d : recs) {
            int e = StoredRecord.epoch(d);
            assertTrue(e >= maxEpoch, "epochs never go back");
            maxEpoch = e;
        }
        int countOnly = (int) ((recs.size() - 1) / 100);
        assertTrue(maxEpoch > countOnly + 10, "time moved epochs too: " + maxEpoch + " vs " + countOnly);
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        // changing a timestamp changes the epoch it requires: caught (as a modification)
        byte[] d = recs.get(500).clone();
        RecordFormat.putLong(d, RecordFormat.OFF_WALL, StoredRecord.wallNanos(d) + 60_000_000_000L);
        recs.set(500, d);
        Path copy = tmp.resolve("copy");
        Tamper.write(copy, recs);
        ChainVerifier.Report bad = fx.verifier().verify(copy, null);
        assertEquals(ChainVerifier.Failure.MODIFIED, bad.failure(), bad.line());
        assertEquals(StoredRecord.seq(d), bad.seq(), bad.line());
    }

    @Test
    void rotationIsAChainedRecordAndRestartsUseTheNewKey() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Path newKeyFile = tmp.resolve("keys/root2.key");
        KeyRing.RootKey next = KeyRing.generate(newKeyFile);
        long rotateSeq;
        try (ChainedLog log = fx.open()) {
            for (int i = 0; i < 300; i++) {
                log.appender().append(1, WalFixture.payload(i, 50));
            }
            rotateSeq = log.appender().rotateKey(next);
            for (int i = 0; i < 300; i++) {
                log.appender().append(1, WalFixture.payload(i, 50));
            }
        }
        KeyRing both = KeyRing.load(fx.keyFile, newKeyFile);
        try (ChainedLog log = fx.builder().keys(both).build()) { // restart after the rotation
            log.appender().append(2, new byte[]{7});
        }
        List<byte[]> recs = Tamper.records(fx.wal);
        assertEquals(next.id(), StoredRecord.keyId(recs.get(recs.size() - 1)));
        assertNotEquals(next.id(), StoredRecord.keyId(recs.get((int) rotateSeq - 1)), "ROTATE is MACed with the old key");
        ChainVerifier.Report r = new ChainVerifier(both, null).verify(fx.wal, null);
        assertTrue(r.ok(), r.line());
        assertEquals(1L, r.counts().get(Kinds.ROTATE));
        ChainVerifier.Report oldOnly = fx.verify();
        assertEquals(ChainVerifier.Failure.WRONG_KEY, oldOnly.failure(), oldOnly.line());
        assertEquals(rotateSeq + 1, oldOnly.seq(), oldOnly.line());
        System.out.println("rotation, old key only: " + oldOnly.line());
        Files.delete(newKeyFile);
    }
}
