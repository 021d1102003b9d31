package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.MerkleTree;

/** `twinlane prove` and `twinlane check-proof` on a real log: round trips, and every forgery refused. */
class ProveCommandTest {
    @TempDir
    Path tmp;
    Path wal;
    Path key;
    Path sealPub;
    /** The checkpoint files kept after each session, oldest first. */
    final List<Path> checkpoints = new ArrayList<>();
    /** Leaf hash of each record, from its bytes as the log's reader gives them (not from merkle.leaves). */
    final Map<Long, byte[]> leaves = new HashMap<>();

    @BeforeEach
    void makeLog() throws Exception {
        wal = tmp.resolve("wal");
        key = tmp.resolve("root.key");
        sealPub = tmp.resolve("seal.pub");
        KeyRing.generate(key);
        SealKey.generate(tmp.resolve("seal.key"), sealPub);
        int[] sessions = {1, 37, 256, 300, 1000};
        for (int s = 0; s < sessions.length; s++) {
            try (ChainedLog log = open()) {
                for (int i = 0; i < sessions[s]; i++) {
                    log.appender().append(1 + i % 2, ("session " + s + " record " + i).getBytes(StandardCharsets.UTF_8));
                }
                log.appender().seal();
            }
            Path cp = tmp.resolve("cp" + s);
            Files.copy(wal.resolve("checkpoint.latest"), cp);
            checkpoints.add(cp);
        }
        try (ChainedLog log = open(); ChainReader r = log.reader()) {
            while (r.next()) {
                leaves.put(r.seq(), MerkleTree.leafHash(r.bytes(), 0, r.length()));
            }
        }
    }

    private ChainedLog open() {
        return ChainedLog.security(wal).keys(KeyRing.load(key)).sealKey(SealKey.load(tmp.resolve("seal.key")))
                .sealEvery(1_000_000, Duration.ofHours(1)).build();
    }

    private static Console run(int expectedExit, String... args) {
        Console c = Console.run(args);
        String line = c.code() == 0 && args[0].equals("prove") ? "(" + c.out().lines().count() + " lines)"
                : (c.out() + c.err()).trim();
        System.out.println(String.join(" ", args).replaceAll("/tmp/\\S*/", "T/") + " -> exit " + c.code() + ": " + line);
        assertEquals(expectedExit, c.code(), c.out() + " / " + c.err());
        return c;
    }

    private long size(Path checkpoint) throws Exception {
        return Checkpoint.parseUnverified(Files.readString(checkpoint)).size();
    }

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private String prove(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "prove";
        all[1] = "--wal";
        all[2] = wal.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return run(0, all).out();
    }

    private String check(int expectedExit, Path proof) {
        Console c = run(expectedExit, "check-proof", "--key", sealPub.toString(), proof.toString());
        assertEquals(1, c.out().lines().count(), "one line: " + c.out());
        return c.out().trim();
    }

    @Test
    void inclusionProofsRoundTripForSeveralRecordsAndTreeSizes() throws Exception {
        assertTrue(size(checkpoints.get(4)) > size(checkpoints.get(3)));
        int checked = 0;
        for (Path cp : checkpoints) {
            long n = size(cp);
            for (long seq : new long[]{1, 2, n / 3, n / 2 + 1, n - 1, n}) {
                if (seq < 1) {
                    continue;
                }
                String proof = prove("--seq", String.valueOf(seq), "--checkpoint", cp.toString());
                assertTrue(proof.startsWith(ProofText.INCLUSION + "\nseq " + seq + "\ntree-size " + n + "\n"), proof);
                String leafLine = proof.lines().filter(l -> l.startsWith("leaf-hash ")).findFirst().orElseThrow();
                assertArrayEquals(leaves.get(seq), Base64.getDecoder().decode(leafLine.substring(10)),
                        "the proof's leaf is the record's hash as read from the log");
                String ok = check(0, write("p-" + n + "-" + seq, proof));
                assertTrue(ok.startsWith("OK: record seq " + seq + " "), ok);
                checked++;
            }
        }
        assertTrue(checked >= 25, "proofs checked: " + checked);
        // without --checkpoint: the latest
        long last = size(wal.resolve("checkpoint.latest"));
        assertTrue(prove("--seq", "5").contains("\ntree-size " + last + "\n"));
    }

    @Test
    void consistencyProofsRoundTripBetweenEveryPairOfCheckpoints() throws Exception {
        for (int i = 0; i < checkpoints.size(); i++) {
            for (int j = i; j < checkpoints.size(); j++) {
                String proof = prove("--consistency", checkpoints.get(i).toString(), checkpoints.get(j).toString());
                String ok = check(0, write("c-" + i + "-" + j, proof));
                assertEquals("extends tree size " + size(checkpoints.get(i)),
                        ok.substring(ok.indexOf("extends")), ok);
            }
        }
        run(1, "prove", "--wal", wal.toString(), "--consistency", checkpoints.get(3).toString(), checkpoints.get(1).toString());
    }

    @Test
    void aTamperedProofIsRefused() throws Exception {
        String proof = prove("--seq", "300", "--checkpoint", checkpoints.get(4).toString());
        String[] lines = proof.split("\n", -1);
        int hashLine = 4; // the audit path's first hash
        assertTrue(lines[hashLine].startsWith("hash "), proof);
        byte[] h = Base64.getDecoder().decode(lines[hashLine].substring(5));
        h[7] ^= 1;
        lines[hashLine] = "hash " + Base64.getEncoder().encodeToString(h);
        assertTrue(check(1, write("t1", String.join("\n", lines))).startsWith("REFUSED: the inclusion proof of seq 300"));

        String fewer = proof.replaceFirst("hash [^\n]*\n", "");
        assertTrue(check(1, write("t2", fewer)).startsWith("REFUSED: "));

        String otherLeaf = proof.replaceFirst("leaf-hash [^\n]*", "leaf-hash " + Base64.getEncoder().encodeToString(leaves.get(301L)));
        assertTrue(check(1, write("t3", otherLeaf)).startsWith("REFUSED: the inclusion proof of seq 300"));

        // the checkpoint's root changed: its signature no longer verifies
        Checkpoint c = Checkpoint.parseUnverified(Files.readString(checkpoints.get(4)));
        byte[] root = c.rootHash();
        root[0] ^= 1;
        String forgedRoot = proof.replace(Base64.getEncoder().encodeToString(c.rootHash()), Base64.getEncoder().encodeToString(root));
        assertTrue(check(1, write("t4", forgedRoot)).startsWith("REFUSED: checkpoint refused: the signature of key"));

        String consistency = prove("--consistency", checkpoints.get(2).toString(), checkpoints.get(4).toString());
        String bad = consistency.replaceFirst("old-size \\d+", "old-size " + (size(checkpoints.get(2)) - 1));
        assertTrue(check(1, write("t5", bad)).startsWith("REFUSED: the proof is for sizes"));
        String dropped = consistency.replaceFirst("hash [^\n]*\n", "");
        assertTrue(check(1, write("t6", dropped)).startsWith("REFUSED: the tree of "));

        assertTrue(run(1, "check-proof", "--key", sealPub.toString(), write("t7", "garbage\n").toString()).out()
                .startsWith("REFUSED: not a twinlane proof"));
        Console missing = run(1, "check-proof", "--key", sealPub.toString(), tmp.resolve("nope").toString());
        assertEquals(1, missing.err().lines().count(), missing.err());
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() throws Exception {
        Checkpoint real = Checkpoint.parseUnverified(Files.readString(checkpoints.get(4)));
        byte[] secret = new byte[32];
        Ed25519.generatePrivateKey(new SecureRandom(), secret);
        byte[] pub = new byte[32];
        Ed25519.generatePublicKey(secret, 0, pub, 0);
        byte[] text = real.text().getBytes(StandardCharsets.UTF_8);
        byte[] sig = new byte[64];
        Ed25519.sign(secret, 0, text, 0, text.length, sig, 0);
        Path other = write("other.cp", Checkpoint.signedNote(real.text(), real.origin(), pub, sig));

        String proof = prove("--seq", "10", "--checkpoint", other.toString()); // same tree: the proof itself is right
        assertTrue(check(1, write("o1", proof)).startsWith("REFUSED: checkpoint refused: note carries no signature of key"));
        String consistency = prove("--consistency", checkpoints.get(1).toString(), other.toString());
        assertTrue(check(1, write("o2", consistency)).startsWith("REFUSED: checkpoint refused:"));
    }

    @Test
    void aWrongSeqIsRefused() throws Exception {
        long n = size(checkpoints.get(4));
        String proof = prove("--seq", "100", "--checkpoint", checkpoints.get(4).toString());
        for (long other : new long[]{99, 101, 0, n + 1}) {
            String edited = proof.replaceFirst("\nseq 100\n", "\nseq " + other + "\n");
            assertTrue(check(1, write("w" + other, edited)).startsWith("REFUSED: "), "seq " + other);
        }
        Console beyond = run(1, "prove", "--wal", wal.toString(), "--seq", String.valueOf(n + 1),
                "--checkpoint", checkpoints.get(4).toString());
        assertEquals("twinlane prove: seq " + (n + 1) + " is not in the checkpoint's tree of " + n + " records", beyond.err().trim());
        run(1, "prove", "--wal", wal.toString(), "--seq", "0");
        run(2, "prove", "--wal", wal.toString());
    }
}
