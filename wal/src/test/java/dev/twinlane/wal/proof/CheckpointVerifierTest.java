package dev.twinlane.wal.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

class CheckpointVerifierTest {
    /** golang.org/x/mod sumdb/note note_test.go: TestNewVerifier's vkey and TestSign's signed note. */
    static final String GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String GO_NOTE = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n"
            + "\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    @Test
    void goSumdbNoteVectorVerifies() {
        CheckpointVerifier v = CheckpointVerifier.fromVerifierKey(GO_VKEY, null);
        assertEquals(0xc74f20a3, v.keyId());
        assertEquals("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
                v.verifyNote(GO_NOTE));
        assertThrows(CheckpointException.class, () -> v.verifyNote(GO_NOTE.replace("cryptography", "cryptoGraphy")));
        assertThrows(CheckpointException.class, () -> v.verifyNote(GO_NOTE.replace("x08go/", "x08go+")));
        // another key's line is ignored, a note with only such lines is refused
        String witnessed = GO_NOTE + "\u2014 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
        v.verifyNote(witnessed);
        assertThrows(CheckpointException.class, () -> v.verifyNote(GO_NOTE.replace("PeterNeumann", "PeterNeuman")));
        // the vkey must match its name and key
        assertThrows(CheckpointException.class, () -> CheckpointVerifier.fromVerifierKey(GO_VKEY.replace("c74f20a3", "c74f20a4"), null));
    }

    @Test
    void signedCheckpointRoundTripAndTampering() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] pub = new byte[32];
        Ed25519.generatePublicKey(secret, 0, pub, 0);
        String origin = "twinlane/host-1/00112233445566778899aabbccddeeff";
        byte[] root = MerkleTree.leafHash("x".getBytes(StandardCharsets.US_ASCII));
        String text = Checkpoint.text(origin, 1234, root, List.of());
        assertEquals(origin + "\n1234\n" + Base64.getEncoder().encodeToString(root) + "\n", text);
        String note = sign(text, origin, secret, pub);
        CheckpointVerifier v = new CheckpointVerifier(origin, pub, origin);
        Checkpoint c = v.verify(note);
        assertEquals(1234, c.size());
        assertArrayEquals(root, c.rootHash());
        assertEquals(note, c.note());
        assertEquals(v.keyId(), CheckpointVerifier.fromVerifierKey(Checkpoint.verifierKey(origin, pub), origin).keyId());

        assertThrows(CheckpointException.class, () -> v.verify(note.replace("\n1234\n", "\n1233\n")), "size changed");
        String otherRoot = Base64.getEncoder().encodeToString(MerkleTree.leafHash(new byte[1]));
        assertThrows(CheckpointException.class, () -> v.verify(note.replace(Base64.getEncoder().encodeToString(root), otherRoot)));
        assertThrows(CheckpointException.class, () -> new CheckpointVerifier(origin, pub, "twinlane/other/x").verify(note));
        byte[] otherPub = new byte[32];
        byte[] otherSecret = new byte[32];
        new SecureRandom().nextBytes(otherSecret);
        Ed25519.generatePublicKey(otherSecret, 0, otherPub, 0);
        assertThrows(CheckpointException.class, () -> new CheckpointVerifier(origin, otherPub, origin).verify(note));
        // a forger with another key under the same name: its line has another key id, so is ignored
        assertThrows(CheckpointException.class, () -> v.verify(sign(text.replace("1234", "99"), origin, otherSecret, otherPub)));
        // malformed bodies, correctly signed, are still refused
        for (String bad : new String[] {origin + "\n01234\n" + Base64.getEncoder().encodeToString(root) + "\n",
                origin + "\n1234\n" + Base64.getEncoder().encodeToString(new byte[31]) + "\n", origin + "\n1234\n",
                "\n1234\n" + Base64.getEncoder().encodeToString(root) + "\n"}) {
            assertThrows(CheckpointException.class, () -> v.verify(sign(bad, origin, secret, pub)), bad);
        }
        assertThrows(CheckpointException.class, () -> v.verify(note.replace("\n\n", "\n")), "no blank line");
        assertThrows(CheckpointException.class, () -> v.verify(note.replace("\u2014", "-")), "no em dash");
    }

    static String sign(String text, String name, byte[] secret, byte[] pub) {
        byte[] m = text.getBytes(StandardCharsets.UTF_8);
        byte[] sig = new byte[64];
        Ed25519.sign(secret, 0, m, 0, m.length, sig, 0);
        return Checkpoint.signedNote(text, name, pub, sig);
    }
}
