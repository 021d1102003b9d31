package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.MerkleTree;

/** The witness on its own: every refusal, and its state file across restarts. */
class WitnessStateTest {
    static final String LOG = "0123456789abcdef0123456789abcdef";
    static final String ORIGIN = "twinlane/h1/" + LOG;
    @TempDir
    Path tmp;
    Path state;
    final byte[] secret = new byte[32];
    final byte[] pub = new byte[32];
    final byte[] treeLeaves = new byte[300 * 32];
    final byte[] forkLeaves = new byte[300 * 32];
    final MerkleTree tree = new MerkleTree((i, n, dst) -> System.arraycopy(treeLeaves, (int) i * 32, dst, 0, n * 32));
    final MerkleTree fork = new MerkleTree((i, n, dst) -> System.arraycopy(forkLeaves, (int) i * 32, dst, 0, n * 32));

    @BeforeEach
    void setUp() {
        state = tmp.resolve("w/witness.state");
        SecureRandom r = new SecureRandom();
        Ed25519.generatePrivateKey(r, secret);
        Ed25519.generatePublicKey(secret, 0, pub, 0);
        byte[] leaf = new byte[32];
        for (int i = 0; i < 300; i++) {
            r.nextBytes(leaf);
            System.arraycopy(leaf, 0, treeLeaves, i * 32, 32);
            tree.append(leaf, 0);
            if (i == 120) {
                leaf[0] ^= 1; // the fork differs from leaf 120 on
            }
            System.arraycopy(leaf, 0, forkLeaves, i * 32, 32);
            fork.append(leaf, 0);
        }
    }

    private String note(MerkleTree t, long size, byte[] key, String origin) {
        String text = Checkpoint.text(origin, size, t.root(size), List.of());
        byte[] m = text.getBytes(StandardCharsets.UTF_8);
        byte[] sig = new byte[64];
        Ed25519.sign(key, 0, m, 0, m.length, sig, 0);
        byte[] p = new byte[32];
        Ed25519.generatePublicKey(key, 0, p, 0);
        return Checkpoint.signedNote(text, origin, p, sig);
    }

    private String note(long size) {
        return note(tree, size, secret, ORIGIN);
    }

    private static Map<Long, List<byte[]>> proof(MerkleTree t, long from, long to) {
        return Map.of(from, t.consistencyProof(from, to).path());
    }

    private Witness.Refusal offer(Witness w, String note, Map<Long, List<byte[]>> proofs, long offset) throws IOException {
        return w.offer("h1", LOG, pub, note, proofs, 0, offset);
    }

    @Test
    void acceptsOnlyWhatExtendsWhatItAcceptedAndRemembersItAcrossRestarts() throws Exception {
        Witness w = new Witness(state);
        assertNull(offer(w, note(100), Map.of(), 1), "the first: trust on first use");
        assertNull(offer(w, note(200), proof(tree, 100, 200), 2));
        assertNull(offer(w, note(200), Map.of(), 3), "the same checkpoint again");

        Witness again = new Witness(state); // a restart
        assertEquals(200, again.accepted(LOG).size());
        assertTrue(again.seen(LOG, 0, 3) && !again.seen(LOG, 0, 4));

        Witness.Refusal smaller = offer(again, note(150), Map.of(), 4);
        assertEquals("checkpoint-smaller", smaller.failure());
        assertTrue(smaller.detail().startsWith("host h1: old size 200, new size 150:"), smaller.detail());

        Witness.Refusal forked = offer(again, note(fork, 200, secret, ORIGIN), Map.of(), 5);
        assertEquals("checkpoint-fork", forked.failure(), forked.detail());

        Witness.Refusal noProof = offer(again, note(300), proof(tree, 100, 300), 6);
        assertEquals("checkpoint-inconsistent", noProof.failure());
        assertTrue(noProof.detail().contains("no consistency proof from the accepted size"), noProof.detail());

        List<byte[]> bad = new ArrayList<>(tree.consistencyProof(200, 300).path());
        bad.get(1)[3] ^= 1;
        assertEquals("checkpoint-inconsistent", offer(again, note(300), Map.of(200L, bad), 7).failure());
        Witness.Refusal forkedLonger = offer(again, note(fork, 300, secret, ORIGIN), proof(fork, 200, 300), 8);
        assertTrue(forkedLonger.detail().contains("does not verify"), forkedLonger.detail());

        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        assertEquals("bad-checkpoint", offer(again, note(tree, 300, other, ORIGIN), proof(tree, 200, 300), 9).failure());
        assertEquals("bad-checkpoint", offer(again, note(tree, 300, secret, "twinlane/h1/" + "f".repeat(32)),
                proof(tree, 200, 300), 10).failure());

        assertEquals(200, new Witness(state).accepted(LOG).size(), "nothing refused was kept");
        assertTrue(new Witness(state).seen(LOG, 0, 10), "each refused message is judged once");
        assertNull(offer(again, note(300), proof(tree, 200, 300), 11));
        assertEquals(300, new Witness(state).accepted(LOG).size());
    }

    @Test
    void aDamagedStateFileIsOneLineAtStart() throws Exception {
        Witness w = new Witness(state);
        assertNull(offer(w, note(100), Map.of(), 1));
        String good = Files.readString(state);
        Files.writeString(state, good.replace(" 100 ", " x100 "));
        IOException e = assertThrows(IOException.class, () -> new Witness(state));
        assertTrue(e.getMessage().startsWith("witness state " + state + " line 2 is damaged"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
