package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/** The writer's key state file: only the current epoch key on the writer's host, never the root. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeyStateTest {
    @TempDir
    Path tmp;

    private static void oneLine(String msg) {
        assertFalse(msg.contains("\n"), "one line: " + msg);
        assertFalse(msg.contains("Exception") || msg.contains("\tat "), "no stack trace: " + msg);
    }

    private static byte[] logId(ChainedLog log) {
        return HexFormat.of().parseHex(log.logId());
    }

    private static void append(ChainedLog log, int n) {
        for (int i = 0; i < n; i++) {
            log.appender().append(1 + i % 3, WalFixture.payload(i, 40 + i % 60));
        }
    }

    private static int lastEpoch(Path wal) throws Exception {
        List<byte[]> recs = Tamper.records(wal);
        return StoredRecord.epoch(recs.get(recs.size() - 1));
    }

    /** The file holds K_e' (e' >= current epoch) and no byte of the root key or any earlier key. */
    private static void assertOnlyCurrentKey(WalFixture fx, byte[] logId, int current) throws Exception {
        Path f = fx.stateFile();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        byte[] raw = Files.readAllBytes(f);
        String text = new String(raw, StandardCharsets.US_ASCII);
        KeyState st = KeyState.load(f);
        int e = st.epoch();
        assertTrue(e >= current, "state epoch " + e + " >= current epoch " + current);
        assertEquals(fx.ring.newest().id(), st.keyId());
        byte[] expected = EpochKeys.keyAt(fx.ring.newest(), logId, e);
        assertArrayEquals(expected, st.keys.key(), "the state key is K_" + e);
        byte[] root = fx.ring.newest().secret();
        assertFalse(contains(raw, root) || text.contains(KeyFiles.hex(root)), "no root key bytes");
        for (int older = 0; older < e; older++) {
            byte[] k = EpochKeys.keyAt(fx.ring.newest(), logId, older);
            assertFalse(contains(raw, k) || text.contains(KeyFiles.hex(k)), "no key of epoch " + older);
        }
        System.out.println("state file at epoch " + e + " (log at " + current + "): only K_" + e + ", no root or K_0..K_" + (e - 1));
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void stateFileHoldsOnlyTheCurrentEpochKey() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        byte[] logId;
        try (ChainedLog log = fx.open()) {
            logId = logId(log);
            assertOnlyCurrentKey(fx, logId, 0);
            append(log, 330); // epochs of 50 records
            log.syncNow();
            int current = lastEpoch(fx.wal);
            assertTrue(current >= 6, "evolved past several epochs: " + current);
            assertOnlyCurrentKey(fx, logId, current);
        }
        int current = lastEpoch(fx.wal);
        assertOnlyCurrentKey(fx, logId, current);
        try (ChainedLog log = fx.stateBuilder().build()) { // restart from the state file alone
            append(log, 120);
        }
        assertOnlyCurrentKey(fx, logId, lastEpoch(fx.wal));
    }

    @Test
    void evolutionWritesTheStateAtTheNextGroupCommitNotOnTheAppendPath() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.builder().syncEvery(Duration.ofHours(1)).build()) {
            byte[] logId = logId(log);
            int atOpen = KeyState.load(fx.stateFile()).epoch();
            long durable = log.durableSeq();
            append(log, 330); // epochs of 50 records
            assertTrue(lastEpoch(fx.wal) >= atOpen + 6, "evolved: " + lastEpoch(fx.wal));
            assertEquals(atOpen, KeyState.load(fx.stateFile()).epoch(), "the append path wrote no key state");
            assertEquals(durable, log.durableSeq(), "the append path ran no fsync");
            log.syncNow();
            assertEquals(lastEpoch(fx.wal), KeyState.load(fx.stateFile()).epoch());
            assertOnlyCurrentKey(fx, logId, lastEpoch(fx.wal));
        }
    }

    @Test
    void stolenStateFileCannotForgeEarlierRecords() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            append(log, 100);
        }
        try (ChainedLog log = fx.stateBuilder().build()) {
            append(log, 250);
        }
        // the attacker takes the writer's host today: the state file, the log, not the root key
        KeyState stolen = KeyState.load(fx.stateFile());
        int stolenEpoch = stolen.epoch();
        List<byte[]> original = Tamper.records(fx.wal);
        int firstOfStolen = 0;
        while (StoredRecord.epoch(original.get(firstOfStolen)) < stolenEpoch) {
            firstOfStolen++;
        }
        assertTrue(firstOfStolen > 100, "several epochs before the stolen one: " + firstOfStolen);
        Random rnd = new Random(42);
        for (int round = 0; round < 12; round++) {
            int i = 1 + rnd.nextInt(firstOfStolen - 1);
            long target = StoredRecord.seq(original.get(i));
            boolean relabel = round % 2 == 0;
            List<byte[]> t = Tamper.rechain(original, i, d -> {
                if (relabel && StoredRecord.epoch(d) < stolenEpoch) {
                    RecordFormat.putInt(d, RecordFormat.OFF_EPOCH, stolenEpoch);
                }
                if (StoredRecord.seq(d) == target) {
                    d[RecordFormat.HEADER] ^= 1; // the change the attacker wants
                }
            }, d -> {
                // every key the attacker can derive: K_stolen and later ones
                EpochKeys k = stolen.keys.copy();
                k.evolveTo(Math.max(stolenEpoch, StoredRecord.epoch(d)));
                return k.key();
            });
            Path dir = tmp.resolve("forged-" + round);
            Tamper.write(dir, t);
            ChainVerifier.Report r = fx.verifier().verify(dir, null);
            String msg = "rewrite from seq " + target + " relabel " + relabel + ": " + r.line();
            assertEquals(ChainVerifier.Failure.WRONG_KEY, r.failure(), msg);
            assertEquals(target, r.seq(), msg);
            if (round < 2) {
                System.out.println("forged with the stolen state (epoch " + stolenEpoch + "): " + r.line());
            }
        }
        ChainVerifier.Report ok = fx.verify();
        assertTrue(ok.ok(), ok.line());
    }

    @Test
    void restartFromStateContinuesTheChain() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        String logId;
        try (ChainedLog log = fx.open()) {
            logId = log.logId();
            append(log, 120);
        }
        Path stale = Files.copy(fx.stateFile(), tmp.resolve("stale.state"));
        try (ChainedLog log = fx.stateBuilder().build()) {
            assertEquals(logId, log.logId());
            append(log, 200);
        }
        // a stale copy (behind the log) evolves forward at start and is rewritten
        Files.copy(stale, fx.stateFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int before = KeyState.load(fx.stateFile()).epoch();
        try (ChainedLog log = fx.stateBuilder().build()) {
            System.out.println("restart from a stale state: " + log.recovery());
            append(log, 30);
        }
        int after = KeyState.load(fx.stateFile()).epoch();
        assertTrue(after > before && after >= lastEpoch(fx.wal), before + " -> " + after);
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertEquals(Tamper.records(fx.wal).size(), r.records());
        System.out.println("after restarts from the state file: " + r.line());
    }

    @Test
    void stateAheadOfTheLogOrOfAnotherKeyIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        byte[] logId;
        try (ChainedLog log = fx.open()) {
            logId = logId(log);
            append(log, 148); // with the GENESIS and the final SEAL of the close: 150
        }
        List<byte[]> recs = Tamper.records(fx.wal);
        long lastSeq = StoredRecord.seq(recs.get(recs.size() - 1));
        assertEquals(150, lastSeq, "the next record starts a new epoch");
        int needed = (int) (lastSeq / 50); // epoch of the next record (count part only here)
        KeyState good = KeyState.load(fx.stateFile());
        assertEquals(needed - 1, good.epoch());

        EpochKeys ahead = good.keys.copy();
        ahead.evolveTo(needed + 1);
        KeyState.write(fx.stateFile(), logId, ahead);
        WalException e = assertThrows(WalException.class, () -> fx.stateBuilder().build());
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("ahead"), e.getMessage());
        System.out.println("refused: " + e.getMessage());

        KeyRing.RootKey other = KeyRing.generate(tmp.resolve("other.key"));
        EpochKeys foreign = new EpochKeys();
        foreign.start(KeyRing.load(tmp.resolve("other.key")).newest(), logId);
        KeyState.write(fx.stateFile(), logId, foreign);
        e = assertThrows(WalException.class, () -> fx.stateBuilder().build());
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains(other.idHex()), e.getMessage());
        System.out.println("refused: " + e.getMessage());

        byte[] otherLog = logId.clone();
        otherLog[0] ^= 1;
        KeyState.write(fx.stateFile(), otherLog, good.keys);
        e = assertThrows(WalException.class, () -> fx.stateBuilder().build());
        oneLine(e.getMessage());
        System.out.println("refused: " + e.getMessage());

        // exactly the epoch the next record needs (a crash after the state moved) is accepted
        EpochKeys next = good.keys.copy();
        next.evolveTo(needed);
        KeyState.write(fx.stateFile(), logId, next);
        try (ChainedLog log = fx.stateBuilder().build()) {
            append(log, 10);
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertEquals(needed, KeyState.load(fx.stateFile()).epoch());
        System.out.println("state one epoch ahead of the tail, as the next record needs: accepted; " + r.line());
    }

    @Test
    void stateFileOpenToGroupOrOthersOrNotRootsIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            append(log, 10);
        }
        for (String mode : new String[]{"rw-r-----", "rw----r--", "rw-rw----"}) {
            Files.setPosixFilePermissions(fx.stateFile(), PosixFilePermissions.fromString(mode));
            WalException e = assertThrows(WalException.class, () -> fx.stateBuilder().build());
            oneLine(e.getMessage());
            assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
            System.out.println("refused (" + mode + "): " + e.getMessage());
        }
        Files.setPosixFilePermissions(fx.stateFile(), PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(fx.stateFile(), "unix:uid", 65534);
        WalException e = assertThrows(WalException.class, () -> fx.stateBuilder().build());
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("not root"), e.getMessage());
        Files.setAttribute(fx.stateFile(), "unix:uid", 0);
        try (ChainedLog log = fx.stateBuilder().build()) {
            append(log, 1);
        }
    }

    @Test
    void noLogAndOnlyAStateFileIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            append(log, 1);
        }
        Path moved = Files.move(fx.stateFile(), tmp.resolve("key.state"));
        WalException e = assertThrows(WalException.class,
                () -> ChainedLog.security(tmp.resolve("fresh")).keyState(moved).build());
        oneLine(e.getMessage());
        System.out.println("refused: " + e.getMessage());
        e = assertThrows(WalException.class, () -> fx.stateBuilder().build()); // no state file, no root key
        oneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("no key file given"), e.getMessage());
    }

    @Test
    void rotationMovesTheStateToTheNewRoot() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Path newKeyFile = tmp.resolve("keys/next.key");
        KeyRing.RootKey next = KeyRing.generate(newKeyFile);
        KeyRing both = KeyRing.load(fx.keyFile, newKeyFile);
        byte[] logId;
        try (ChainedLog log = fx.open()) {
            logId = logId(log);
            append(log, 130);
            log.appender().rotateKey(both.byId(next.id()));
            KeyState st = KeyState.load(fx.stateFile());
            assertEquals(next.id(), st.keyId());
            assertEquals(0, st.epoch());
            assertArrayEquals(EpochKeys.keyAt(both.byId(next.id()), logId, 0), st.keys.key());
            append(log, 100);
        }
        KeyState st = KeyState.load(fx.stateFile());
        assertEquals(next.id(), st.keyId());
        assertArrayEquals(EpochKeys.keyAt(both.byId(next.id()), logId, st.epoch()), st.keys.key());
        try (ChainedLog log = fx.stateBuilder().build()) { // restart with neither root key on the host
            append(log, 60);
        }
        ChainVerifier.Report r = new ChainVerifier(both, SealKey.loadPublic(fx.sealPublic)).verify(fx.wal, null);
        assertTrue(r.ok(), r.line());
        assertEquals(1L, r.counts().get(Kinds.ROTATE));
        System.out.println("rotation, restart from the state file: " + r.line());
    }
}
