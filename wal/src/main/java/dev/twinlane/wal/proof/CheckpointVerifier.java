package dev.twinlane.wal.proof;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Verifies a checkpoint's C2SP signed note with an Ed25519 public key alone (no HMAC key):
 * the text is everything up to and including the newline before the last blank line; each
 * signature line is "— name base64(4-byte key id ‖ signature)". Lines of other keys (another
 * name or key id) are ignored, as the note format requires; one of this key must be present and
 * verify. Then the text must be a well-formed checkpoint (and of the expected origin, if one is given).
 */
public final class CheckpointVerifier {
    /** Larger notes are refused before anything is parsed. */
    static final int MAX_NOTE = 1 << 16;
    private final String keyName;
    private final byte[] publicKey;
    private final int keyId;
    private final String origin;

    /** {@code origin}: the checkpoint's first line must be it; null accepts any. */
    public CheckpointVerifier(String keyName, byte[] publicKey, String origin) {
        Checkpoint.checkKeyName(keyName);
        this.keyName = keyName;
        this.publicKey = publicKey.clone();
        this.keyId = Checkpoint.keyId(keyName, publicKey);
        this.origin = origin;
    }

    /** From a C2SP verifier key, {@code name+hex(key id)+base64(0x01 ‖ Ed25519 public key)}. */
    public static CheckpointVerifier fromVerifierKey(String vkey, String origin) {
        String[] p = vkey.trim().split("\\+", 3);
        if (p.length != 3) {
            throw new CheckpointException("a verifier key is name+keyid+key");
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(p[2]);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("verifier key: the key is not base64");
        }
        if (k.length != 33 || k[0] != 1) {
            throw new CheckpointException("verifier key: not an Ed25519 key (type 0x01, 32 bytes)");
        }
        byte[] pub = java.util.Arrays.copyOfRange(k, 1, 33);
        Checkpoint.checkKeyName(p[0]);
        if (!p[1].matches("[0-9a-f]{8}") || Integer.parseUnsignedInt(p[1], 16) != Checkpoint.keyId(p[0], pub)) {
            throw new CheckpointException("verifier key: the key id does not match the name and key");
        }
        return new CheckpointVerifier(p[0], pub, origin);
    }

    public String keyName() {
        return keyName;
    }

    public int keyId() {
        return keyId;
    }

    /** The checkpoint in {@code note}, if this key signed it; CheckpointException (one line) otherwise. */
    public Checkpoint verify(String note) {
        String text = verifyNote(note);
        Checkpoint c = Checkpoint.parse(text, note);
        if (origin != null && !origin.equals(c.origin())) {
            throw new CheckpointException("checkpoint origin is '" + c.origin() + "', not '" + origin + "'");
        }
        return c;
    }

    /** The text of a signed note that this key signed (signed-note rules; the text need not be a checkpoint). */
    public String verifyNote(String note) {
        if (note == null || note.length() > MAX_NOTE) {
            throw new CheckpointException("no note, or a note larger than " + MAX_NOTE + " characters");
        }
        byte[] raw = note.getBytes(StandardCharsets.UTF_8);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
        } catch (CharacterCodingException e) {
            throw new CheckpointException("note is not valid UTF-8");
        }
        for (int i = 0; i < note.length(); i++) {
            char ch = note.charAt(i);
            if (ch < 0x20 && ch != '\n' || Character.isSurrogate(ch) && !validSurrogate(note, i)) {
                throw new CheckpointException("note holds a control character (only newlines are allowed)");
            }
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new CheckpointException("note has no blank line between text and signatures");
        }
        String text = note.substring(0, split + 1);
        String sigs = note.substring(split + 2);
        if (!sigs.endsWith("\n") || sigs.length() == 1) {
            throw new CheckpointException("note signatures do not end with a newline");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        for (String line : sigs.substring(0, sigs.length() - 1).split("\n", -1)) {
            if (!line.startsWith(Checkpoint.SIG_PREFIX)) {
                throw new CheckpointException("note signature line does not start with '\u2014 '");
            }
            String rest = line.substring(Checkpoint.SIG_PREFIX.length());
            int sp = rest.indexOf(' ');
            if (sp <= 0) {
                throw new CheckpointException("note signature line has no key name and signature");
            }
            String name = rest.substring(0, sp);
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(rest.substring(sp + 1));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException("note signature is not base64");
            }
            if (sig.length < 5 || name.indexOf('+') >= 0) {
                throw new CheckpointException("note signature line is malformed");
            }
            int id = (sig[0] & 0xFF) << 24 | (sig[1] & 0xFF) << 16 | (sig[2] & 0xFF) << 8 | (sig[3] & 0xFF);
            if (!name.equals(keyName) || id != keyId) {
                continue; // another key's signature (a witness, a rotated key): ignored
            }
            if (sig.length != 4 + Ed25519.SIGNATURE_SIZE || !ed25519(sig, message)) {
                throw new CheckpointException("the signature of key " + keyName + " does not verify");
            }
            verified = true;
        }
        if (!verified) {
            throw new CheckpointException("note carries no signature of key " + keyName + String.format(" (id %08x)", keyId));
        }
        return text;
    }

    private boolean ed25519(byte[] sig, byte[] message) {
        try {
            return Ed25519.verify(sig, 4, publicKey, 0, message, 0, message.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
