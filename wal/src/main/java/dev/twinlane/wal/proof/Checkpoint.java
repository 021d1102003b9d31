package dev.twinlane.wal.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): origin line, decimal tree size,
 * base64 root hash, optional extension lines, each ending in a newline; carried as the text of
 * a C2SP signed note (https://c2sp.org/signed-note) signed with Ed25519. Immutable.
 */
public final class Checkpoint {
    /** U+2014 EM DASH, then a space: how every signature line of a note starts. */
    static final String SIG_PREFIX = "\u2014 ";
    private final String origin;
    private final long size;
    private final byte[] root;
    private final List<String> extensions;
    private final String note;

    private Checkpoint(String origin, long size, byte[] root, List<String> extensions, String note) {
        this.origin = origin;
        this.size = size;
        this.root = root.clone();
        this.extensions = List.copyOf(extensions);
        this.note = note;
    }

    public String origin() {
        return origin;
    }

    public long size() {
        return size;
    }

    public byte[] rootHash() {
        return root.clone();
    }

    public List<String> extensions() {
        return extensions;
    }

    /** The checkpoint's note text (what the signature covers): its lines, each ending in a newline. */
    public String text() {
        return text(origin, size, root, extensions);
    }

    /** The whole signed note (text, blank line, signature lines), or null when this one is unsigned. */
    public String note() {
        return note;
    }

    /** The note text of a checkpoint. */
    public static String text(String origin, long size, byte[] root, List<String> extensions) {
        if (origin == null || origin.isEmpty() || origin.indexOf('\n') >= 0 || size < 0 || !InclusionProof.isHash(root)) {
            throw new IllegalArgumentException("a checkpoint needs a one-line origin, a size >= 0 and a 32-byte root");
        }
        StringBuilder b = new StringBuilder().append(origin).append('\n').append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(root)).append('\n');
        for (String e : extensions) {
            if (e.isEmpty() || e.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("an extension line is one non-empty line");
            }
            b.append(e).append('\n');
        }
        return b.toString();
    }

    /**
     * The signed note of {@code text} with one Ed25519 signature by the key {@code keyName}
     * (its key id: {@link #keyId}): text, a blank line, "— keyName base64(keyId ‖ signature)".
     */
    public static String signedNote(String text, String keyName, byte[] publicKey, byte[] signature) {
        checkKeyName(keyName);
        if (signature.length != 64) {
            throw new IllegalArgumentException("an Ed25519 signature has 64 bytes");
        }
        int id = keyId(keyName, publicKey);
        byte[] sig = new byte[68];
        sig[0] = (byte) (id >>> 24);
        sig[1] = (byte) (id >>> 16);
        sig[2] = (byte) (id >>> 8);
        sig[3] = (byte) id;
        System.arraycopy(signature, 0, sig, 4, 64);
        return text + "\n" + SIG_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(sig) + "\n";
    }

    /**
     * The checkpoint a signed note carries, its signatures not checked (e.g. to find the tree size
     * to prove against; whoever relies on it verifies it with {@link CheckpointVerifier}).
     */
    public static Checkpoint parseUnverified(String note) {
        if (note == null || note.length() > CheckpointVerifier.MAX_NOTE) {
            throw new CheckpointException("no note, or a note larger than " + CheckpointVerifier.MAX_NOTE + " characters");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new CheckpointException("note has no blank line between text and signatures");
        }
        return parse(note.substring(0, split + 1), note);
    }

    /** The checkpoint a signed note carries (parsed, not verified: see {@link CheckpointVerifier}). */
    static Checkpoint parse(String text, String note) {
        if (!text.endsWith("\n")) {
            throw new CheckpointException("checkpoint text does not end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new CheckpointException("a checkpoint has at least three lines (origin, size, root hash)");
        }
        if (lines[0].isEmpty()) {
            throw new CheckpointException("checkpoint origin is empty");
        }
        String s = lines[1];
        if (s.isEmpty() || s.length() > 19 || (s.length() > 1 && s.charAt(0) == '0') || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new CheckpointException("checkpoint tree size is not a decimal number without leading zeros: '" + s + "'");
        }
        long size;
        try {
            size = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CheckpointException("checkpoint tree size out of range: " + s);
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint root hash is not base64");
        }
        if (root.length != MerkleTree.HASH || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw new CheckpointException("checkpoint root hash is not the base64 of 32 bytes");
        }
        List<String> ext = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                throw new CheckpointException("checkpoint extension line " + (i + 1) + " is empty");
            }
            ext.add(lines[i]);
        }
        return new Checkpoint(lines[0], size, root, ext, note);
    }

    /**
     * C2SP signed-note key id of an Ed25519 key: the first four bytes (big-endian) of
     * SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key).
     */
    public static int keyId(String keyName, byte[] publicKey) {
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        MessageDigest d = MerkleTree.sha256();
        d.update(keyName.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0x0A);
        d.update((byte) 0x01);
        d.update(publicKey);
        byte[] h = d.digest();
        return (h[0] & 0xFF) << 24 | (h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF);
    }

    /** The C2SP verifier key ("vkey"): {@code name+hex(key id)+base64(0x01 ‖ public key)}. */
    public static String verifierKey(String keyName, byte[] publicKey) {
        checkKeyName(keyName);
        byte[] k = new byte[33];
        k[0] = 1;
        System.arraycopy(publicKey, 0, k, 1, 32);
        return keyName + "+" + String.format("%08x", keyId(keyName, publicKey)) + "+" + Base64.getEncoder().encodeToString(k);
    }

    static void checkKeyName(String name) {
        if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == '+' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("a note key name is non-empty, without spaces or '+': '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return origin + " size " + size + " root " + Base64.getEncoder().encodeToString(root);
    }
}
