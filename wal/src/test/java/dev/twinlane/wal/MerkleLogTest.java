package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointVerifier;
import dev.twinlane.wal.proof.ConsistencyProof;
import dev.twinlane.wal.proof.InclusionProof;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.LeavesFile;
import dev.twinlane.wal.proof.MerkleTree;
import dev.twinlane.wal.proof.ProofGenerator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's Merkle tree, leaves file and signed checkpoints, end to end on a real log. */
class MerkleLogTest {
    @TempDir
    Path tmp;

    private static void append(ChainedLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            log.appender().append(1, WalFixture.payload(i, 40 + i % 100));
        }
    }

    /** Leaf hashes of every record as stored, in seq order (read with the test fixture's own reader). */
    private static List<byte[]> leavesOf(WalFixture f) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (CycleFiles.Doc d : f.docs()) {
            assertEquals(out.size() + 1, StoredRecord.seq(d.bytes));
            out.add(MerkleTree.leafHash(d.bytes));
        }
        return out;
    }

    private static byte[] naiveRoot(List<byte[]> leaves, int a, int b) {
        if (b - a == 1) {
            return leaves.get(a);
        }
        int k = Integer.highestOneBit(b - a - 1);
        return MerkleTree.nodeHash(naiveRoot(leaves, a, a + k), naiveRoot(leaves, a + k, b));
    }

    private static Checkpoint checkpointFile(WalFixture f) throws IOException {
        String origin = Files.readString(f.wal.resolve(MerkleLog.CHECKPOINT)).split("\n", 2)[0];
        return new CheckpointVerifier(origin, f.sealKey.publicKey(), origin)
                .verify(Files.readString(f.wal.resolve(MerkleLog.CHECKPOINT)));
    }

    @Test
    void eachDurableSealGivesACheckpointThatThePublicKeyAloneVerifies() throws Exception {
        WalFixture f = new WalFixture(tmp);
        List<Checkpoint> heard = new CopyOnWriteArrayList<>();
        String origin;
        try (ChainedLog log = f.builder().hostId("host 7").onCheckpoint(heard::add).build()) {
            origin = "twinlane/host_7/" + log.logId();
            for (int i = 0; i < 1000; i += 250) {
                append(log, i, 250); // a SEAL every 200 records
                long durable = log.syncNow();
                waitFor(() -> log.checkpoint() != null && log.checkpoint().size() > durable - 250);
            }
        }
        List<byte[]> leaves = leavesOf(f);
        int n = leaves.size();
        // the note, parsed here without the production parser: text, blank line, "— name base64(id ‖ sig)"
        String note = Files.readString(f.wal.resolve(MerkleLog.CHECKPOINT), StandardCharsets.UTF_8);
        int split = note.lastIndexOf("\n\n");
        String text = note.substring(0, split + 1);
        String[] lines = text.split("\n");
        assertEquals(3, lines.length, note);
        assertEquals(origin, lines[0]);
        assertEquals(String.valueOf(n), lines[1], "the final SEAL is the last record and the checkpoint covers it");
        assertArrayEquals(naiveRoot(leaves, 0, n), Base64.getDecoder().decode(lines[2]));
        String sigLine = note.substring(split + 2);
        assertTrue(sigLine.startsWith("\u2014 " + origin + " ") && sigLine.endsWith("\n"), sigLine);
        byte[] sig = Base64.getDecoder().decode(sigLine.substring(("\u2014 " + origin + " ").length(), sigLine.length() - 1));
        assertEquals(68, sig.length);
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(origin.getBytes(StandardCharsets.UTF_8));
        d.update(new byte[] {0x0A, 0x01});
        d.update(f.sealKey.publicKey());
        assertArrayEquals(Arrays.copyOf(d.digest(), 4), Arrays.copyOf(sig, 4), "key id");
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        assertTrue(Ed25519.verify(sig, 4, f.sealKey.publicKey(), 0, msg, 0, msg.length), "Ed25519 over the note text");

        // one checkpoint per SEAL (every 200 records, and the final one), each consistent with the last
        assertTrue(heard.size() >= 5, "checkpoints heard: " + heard.size());
        assertEquals(note, heard.get(heard.size() - 1).note());
        try (ProofGenerator g = ProofGenerator.open(f.wal)) {
            assertEquals(n, g.size());
            for (int i = 1; i < heard.size(); i++) {
                Checkpoint a = heard.get(i - 1);
                Checkpoint b = heard.get(i);
                assertEquals(Kinds.SEAL, kindOf(f, b.size()));
                assertArrayEquals(naiveRoot(leaves, 0, (int) a.size()), a.rootHash());
                assertTrue(g.consistency(a.size(), b.size()).verify(a.rootHash(), b.rootHash()));
            }
            // inclusion of records, leaf = SHA-256(0x00 ‖ stored bytes), against the last checkpoint
            Checkpoint last = heard.get(heard.size() - 1);
            for (long seq : new long[] {1, 2, 200, 201, 777, n}) {
                InclusionProof p = g.inclusion(seq, last.size());
                assertTrue(p.verify(leaves.get((int) seq - 1), last.rootHash()), "seq " + seq);
                assertFalse(p.verify(leaves.get((int) seq % n), last.rootHash()), "another record, seq " + seq);
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out");
            Thread.sleep(5);
        }
    }

    private static int kindOf(WalFixture f, long seq) throws IOException {
        return StoredRecord.kind(f.doc(seq).bytes);
    }

    @Test
    void aReopenedLogRebuildsItsFrontierAndStaysConsistent() throws Exception {
        WalFixture f = new WalFixture(tmp);
        try (ChainedLog log = f.open()) {
            append(log, 0, 300);
        }
        Checkpoint a = checkpointFile(f);
        try (ChainedLog log = f.open()) {
            assertNull(log.merkle().rebuiltBecause());
            assertEquals(a.note(), log.checkpoint().note(), "the last checkpoint is known at once");
            append(log, 300, 300);
        }
        Checkpoint b = checkpointFile(f);
        assertTrue(b.size() > a.size());
        List<byte[]> leaves = leavesOf(f);
        assertArrayEquals(naiveRoot(leaves, 0, (int) b.size()), b.rootHash());
        try (ProofGenerator g = ProofGenerator.open(f.wal)) {
            assertTrue(g.consistency(a.size(), b.size()).verify(a.rootHash(), b.rootHash()));
        }
    }

    /** What the exporter does: one generator, extended by the new leaves at each checkpoint. */
    @Test
    void aGeneratorExtendedStepByStepProvesWhatAFreshOneProves() throws Exception {
        WalFixture f = new WalFixture(tmp);
        try (ChainedLog log = f.open()) {
            append(log, 0, 1500);
        }
        List<byte[]> leaves = leavesOf(f);
        int n = leaves.size();
        try (ProofGenerator g = ProofGenerator.open(f.wal, 0)) {
            assertEquals(0, g.size());
            long prev = 0;
            for (long size : new long[] {1, 2, 255, 256, 257, 700, 1024, n}) {
                assertEquals(size, g.extend(size));
                assertArrayEquals(naiveRoot(leaves, 0, (int) size), g.root(size), "size " + size);
                if (prev > 0) {
                    assertTrue(g.consistency(prev, size).verify(naiveRoot(leaves, 0, (int) prev), g.root(size)));
                }
                assertTrue(g.inclusion(size, size).verify(leaves.get((int) size - 1), g.root(size)));
                prev = size;
            }
            assertEquals(n, g.extend(Long.MAX_VALUE), "no further than the file");
        }
    }

    @Test
    void aLeavesFileThatDisagreesWithTheLogIsRebuiltFromIt() throws Exception {
        WalFixture f = new WalFixture(tmp);
        try (ChainedLog log = f.open()) {
            append(log, 0, 500);
        }
        Path leavesFile = f.wal.resolve(LeavesFile.NAME);
        long whole = Files.size(leavesFile);

        // a torn last leaf and a shorter file: the tree continues from what is there, no rebuild
        truncate(leavesFile, LeavesFile.HEADER + 100 * 32 + 5);
        reopenAndCheck(f, 10, null);

        // a changed leaf inside what checkpoint.latest covers
        flipByte(leavesFile, LeavesFile.HEADER + 42 * 32 + 7);
        reopenAndCheck(f, 10, "root at size");

        // the last leaf changed (no checkpoint.latest to compare the root with)
        Files.delete(f.wal.resolve(MerkleLog.CHECKPOINT));
        flipByte(leavesFile, Files.size(leavesFile) - 3);
        reopenAndCheck(f, 10, "is not the hash of that record");

        // more leaves than records
        try (FileChannel ch = FileChannel.open(leavesFile, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.allocate(32 * 5000));
        }
        reopenAndCheck(f, 10, "leaves and the log");

        // not a leaves file
        WalFixture.overwrite(leavesFile, 0, "garbage".getBytes(StandardCharsets.US_ASCII));
        reopenAndCheck(f, 10, "not a leaves file");
        assertTrue(Files.size(leavesFile) > whole);
    }

    /** Changes one byte whatever it holds (writing a fixed value left it as it was once in 256 runs). */
    private static void flipByte(Path file, long offset) throws IOException {
        byte[] one = new byte[1];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(java.nio.ByteBuffer.wrap(one), offset);
        }
        one[0] = (byte) ~one[0];
        WalFixture.overwrite(file, offset, one);
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** Reopens, appends, closes; the leaves file then holds exactly the log's leaves, and the checkpoint its root. */
    private void reopenAndCheck(WalFixture f, int more, String rebuilt) throws Exception {
        try (ChainedLog log = f.open()) {
            append(log, 0, more);
            log.close();
            String why = log.merkle().rebuiltBecause();
            if (rebuilt == null) {
                assertNull(why);
            } else {
                assertNotNull(why, "expected a rebuild: " + rebuilt);
                assertTrue(why.contains(rebuilt), why);
            }
        }
        List<byte[]> leaves = leavesOf(f);
        assertEquals(LeavesFile.HEADER + 32L * leaves.size(), Files.size(f.wal.resolve(LeavesFile.NAME)));
        try (ProofGenerator g = ProofGenerator.open(f.wal)) {
            for (int i = 0; i < leaves.size(); i++) {
                assertArrayEquals(leaves.get(i), g.leafHash(i), "leaf " + i);
            }
        }
        Checkpoint c = checkpointFile(f);
        assertEquals(leaves.size(), c.size());
        assertArrayEquals(naiveRoot(leaves, 0, leaves.size()), c.rootHash());
    }

    /**
     * Root on the host rolls the log back to an older copy and re-signs with the real seal key:
     * every checkpoint it then signs verifies, but none is consistent with checkpoint A, kept
     * from before: a shorter one cannot be, a longer one has no consistency proof.
     */
    @Test
    void aTruncatedAndReSignedLogCannotProveConsistencyWithAnEarlierCheckpoint() throws Exception {
        WalFixture f = new WalFixture(tmp);
        try (ChainedLog log = f.open()) {
            append(log, 0, 600);
        }
        Path backup = tmp.resolve("backup");
        copyTree(f.wal, backup.resolve("wal"));
        Files.copy(f.identityFile(), backup.resolve("wal.identity"));
        try (ChainedLog log = f.open()) {
            append(log, 600, 400);
        }
        Checkpoint a = checkpointFile(f);
        assertTrue(a.size() >= 1000);

        // the attack: the older copy back in place, identity file included
        deleteTree(f.wal);
        copyTree(backup.resolve("wal"), f.wal);
        Files.copy(backup.resolve("wal.identity"), f.identityFile(), StandardCopyOption.REPLACE_EXISTING);
        try (ChainedLog log = f.open()) {
            append(log, 5000, 100);
        }
        Checkpoint shorter = checkpointFile(f);
        assertEquals(a.origin(), shorter.origin(), "same log id, same host, same key: the signature alone proves nothing");
        assertTrue(shorter.size() < a.size());
        try (ProofGenerator g = ProofGenerator.open(f.wal)) {
            ConsistencyProof bogus = g.consistency(shorter.size(), shorter.size());
            assertFalse(ConsistencyProof.verify(a.size(), shorter.size(), bogus.path(), a.rootHash(), shorter.rootHash()));
        }
        try (ChainedLog log = f.open()) {
            append(log, 6000, 900);
        }
        Checkpoint longer = checkpointFile(f);
        assertTrue(longer.size() > a.size());
        try (ProofGenerator g = ProofGenerator.open(f.wal)) {
            ConsistencyProof p = g.consistency(a.size(), longer.size());
            assertFalse(p.verify(a.rootHash(), longer.rootHash()), "the re-signed log's proof from A");
            assertTrue(g.consistency(shorter.size(), longer.size()).verify(shorter.rootHash(), longer.rootHash()),
                    "while it is consistent with its own past");
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
