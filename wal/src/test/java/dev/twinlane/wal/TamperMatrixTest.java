package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Each tamper class at random positions, many times: verify must fail with the right class
 * and name the right seq; untouched copies must verify.
 */
class TamperMatrixTest {
    private static final int ROUNDS = 25;
    @TempDir
    static Path tmp;
    static WalFixture fx;
    static List<byte[]> original;
    static Path sealCopy;
    static final AtomicInteger CASE = new AtomicInteger();
    static final long SEED = Long.getLong("tamper.seed", System.nanoTime());
    final Random rnd = new Random(SEED);

    @BeforeAll
    static void makeLog() throws Exception {
        fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            for (int i = 0; i < 700; i++) {
                if (i % 97 == 0) {
                    log.appender().gap(i, 1, i * 1000L, i * 1000L + 500);
                } else {
                    log.appender().append(1 + i % 4, WalFixture.payload(i, 40 + i % 200));
                }
            }
        }
        original = Tamper.records(fx.wal);
        sealCopy = Files.copy(fx.wal.resolve(ChainedLog.SEAL_FILE), tmp.resolve("seal.offsite"));
    }

    private long seq(int index) {
        return StoredRecord.seq(original.get(index));
    }

    private ChainVerifier.Report verifyCopy(List<byte[]> records, Path seal) throws IOException {
        Path dir = tmp.resolve("case-" + CASE.incrementAndGet());
        Tamper.write(dir, records);
        return fx.verifier().verify(dir, seal);
    }

    private void expect(ChainVerifier.Failure f, long seq, ChainVerifier.Report r, String what) {
        String msg = what + " (-Dtamper.seed=" + SEED + "): " + r.line();
        assertEquals(f, r.failure(), msg);
        assertEquals(seq, r.seq(), msg);
    }

    @Test
    void untouchedCopyVerifiesWithSealFile() throws IOException {
        ChainVerifier.Report r = verifyCopy(original, sealCopy);
        assertTrue(r.ok(), r.line());
        assertEquals(original.size(), r.records());
    }

    @Test
    void modifyOnePayloadByte() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            int i = rnd.nextInt(original.size());
            List<byte[]> t = copy();
            byte[] d = t.get(i);
            int p = RecordFormat.HEADER + rnd.nextInt(StoredRecord.payloadLength(d));
            d[p] ^= (byte) (1 + rnd.nextInt(255));
            expect(ChainVerifier.Failure.MODIFIED, seq(i), verifyCopy(t, null), "modify index " + i + " byte " + p);
        }
    }

    @Test
    void deleteOneRecord() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            int i = rnd.nextInt(original.size() - 1); // the last one is the truncation case
            List<byte[]> t = copy();
            t.remove(i);
            expect(ChainVerifier.Failure.MISSING, seq(i), verifyCopy(t, null), "delete index " + i);
        }
    }

    @Test
    void insertForgedRecord() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            int i = 1 + rnd.nextInt(original.size() - 1);
            List<byte[]> t = copy();
            byte[] at = original.get(i);
            byte[] payload = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(payload);
            byte[] forgedKey = new byte[32];
            rnd.nextBytes(forgedKey);
            byte[] forged = Tamper.record(StoredRecord.seq(at), StoredRecord.wallNanos(at), StoredRecord.epoch(at),
                    StoredRecord.keyId(at), 1, payload, StoredRecord.mac(original.get(i - 1)), forgedKey);
            t.add(i, forged);
            expect(ChainVerifier.Failure.INSERTED, seq(i), verifyCopy(t, null), "insert before index " + i);
        }
    }

    @Test
    void swapTwoRecords() throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            int i = 1 + rnd.nextInt(original.size() - 2);
            int j = i + 1 + rnd.nextInt(Math.min(50, original.size() - i - 1));
            List<byte[]> t = copy();
            Collections.swap(t, i, j);
            expect(ChainVerifier.Failure.REORDERED, seq(i), verifyCopy(t, null), "swap " + i + "," + j);
        }
    }

    @Test
    void truncateTailAgainstSealKeptElsewhere() throws IOException {
        long sealed = DurableSeal.read(sealCopy).seq;
        assertTrue(sealed > 100, "seal covers the log");
        for (int round = 0; round < ROUNDS; round++) {
            int keep = 1 + rnd.nextInt((int) sealed - 1);
            List<byte[]> t = new ArrayList<>(original.subList(0, keep));
            assertTrue(verifyCopy(t, null).ok(), "without a seal a cut log looks whole");
            expect(ChainVerifier.Failure.TRUNCATED, keep + 1, verifyCopy(t, sealCopy), "keep " + keep);
        }
    }

    @Test
    void reKeyFromARecordOn() throws IOException {
        byte[] attackerRoot = new byte[32];
        new SecureRandom().nextBytes(attackerRoot);
        KeyRing.RootKey attacker = new KeyRing.RootKey(attackerRoot);
        byte[] logId = genesis().logId();
        for (int round = 0; round < ROUNDS; round++) {
            int i = 1 + rnd.nextInt(original.size() - 1);
            List<byte[]> t = Tamper.rechain(original, i,
                    d -> RecordFormat.putInt(d, RecordFormat.OFF_KEY_ID, attacker.id()),
                    d -> EpochKeys.keyAt(attacker, logId, StoredRecord.epoch(d)));
            expect(ChainVerifier.Failure.WRONG_KEY, seq(i), verifyCopy(t, null), "re-key from index " + i);
        }
    }

    @Test
    void rewriteOlderRecordsWithTheStolenCurrentKey() throws IOException {
        // CVE-2023-31439: the attacker holds today's evolved key and re-MACs older records with it.
        byte[] last = original.get(original.size() - 1);
        int current = StoredRecord.epoch(last);
        byte[] stolen = EpochKeys.keyAt(fx.ring.newest(), genesis().logId(), current);
        int firstOfCurrent = 0;
        while (StoredRecord.epoch(original.get(firstOfCurrent)) < current) {
            firstOfCurrent++;
        }
        assertTrue(firstOfCurrent > 100, "several epochs in the log");
        for (int round = 0; round < ROUNDS; round++) {
            int i = 1 + rnd.nextInt(firstOfCurrent - 1);
            boolean relabel = round % 2 == 0;
            List<byte[]> t = Tamper.rechain(original, i, d -> {
                if (relabel) {
                    RecordFormat.putInt(d, RecordFormat.OFF_EPOCH, current);
                }
                if (StoredRecord.seq(d) == seq(i)) {
                    d[RecordFormat.HEADER] ^= 1; // the change the attacker wanted
                }
            }, d -> stolen);
            expect(ChainVerifier.Failure.WRONG_KEY, seq(i), verifyCopy(t, null),
                    "rewrite from index " + i + " relabel " + relabel);
        }
    }

    @Test
    void wrongKeyFile() throws IOException {
        Path other = tmp.resolve("other.key");
        KeyRing.generate(other);
        ChainVerifier.Report r = new ChainVerifier(KeyRing.load(other), null).verify(fx.wal, null);
        expect(ChainVerifier.Failure.WRONG_KEY, 1, r, "another key file");
    }

    private static Genesis genesis() {
        byte[] g = original.get(0);
        return Genesis.decode(g, RecordFormat.HEADER, StoredRecord.payloadLength(g));
    }

    private static List<byte[]> copy() {
        List<byte[]> c = new ArrayList<>();
        for (byte[] d : original) {
            c.add(d.clone());
        }
        return c;
    }
}
