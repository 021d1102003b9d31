package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Root MAC keys, read from key files: one key per line, 64 hex digits (32 bytes); lines
 * starting with '#' are comments. A key's id is derived from the key, so a record names its
 * key without revealing it. New logs use the last key listed; after a rotation, append the
 * new key to the file so that a restart and the verifier find it.
 */
public final class KeyRing {
    private static final byte[] ID_LABEL = "twinlane-wal key id".getBytes(StandardCharsets.US_ASCII);
    private final List<RootKey> keys;
    private final List<Path> files;

    /** One root key. The secret never appears in toString. */
    public static final class RootKey {
        private final int id;
        private final byte[] secret;

        RootKey(byte[] secret) {
            if (secret.length != 32) {
                throw new WalException("a root key is 32 bytes");
            }
            this.secret = secret.clone();
            this.id = idOf(secret);
        }

        public int id() {
            return id;
        }

        byte[] secret() {
            return secret;
        }

        public String idHex() {
            return KeyRing.idHex(id);
        }

        @Override
        public String toString() {
            return "RootKey[" + idHex() + "]";
        }
    }

    private KeyRing(List<RootKey> keys, List<Path> files) {
        this.keys = List.copyOf(keys);
        this.files = List.copyOf(files);
    }

    /**
     * Reads keys from files that only their owner may read or write (else one-line refusal).
     * Whether root must own them is checked where it matters: by the writer.
     */
    public static KeyRing load(Path... keyFiles) {
        List<RootKey> keys = new ArrayList<>();
        for (Path f : keyFiles) {
            KeyFiles.requirePrivate(f, false);
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new WalException("cannot read key file " + f + ": " + e.getMessage());
            }
            int n = 0;
            for (String line : lines) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                keys.add(new RootKey(KeyFiles.unhex(t, 32, "key file " + f)));
                n++;
            }
            if (n == 0) {
                throw new WalException("key file " + f + " holds no key (expected 64 hex digits per line)");
            }
        }
        if (keys.isEmpty()) {
            throw new WalException("no key file given");
        }
        return new KeyRing(keys, List.of(keyFiles));
    }

    /** A new random key, written to a new file with mode 600 (the caller runs as root). */
    public static RootKey generate(Path keyFile) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        RootKey k = new RootKey(secret);
        String text = "# twinlane-wal root key " + k.idHex() + "\n" + KeyFiles.hex(secret) + "\n";
        KeyFiles.writeAtomically(keyFile, text.getBytes(StandardCharsets.US_ASCII), true);
        java.util.Arrays.fill(secret, (byte) 0);
        return k;
    }

    public RootKey byId(int id) {
        for (RootKey k : keys) {
            if (k.id == id) {
                return k;
            }
        }
        return null;
    }

    public RootKey newest() {
        return keys.get(keys.size() - 1);
    }

    public List<RootKey> keys() {
        return Collections.unmodifiableList(keys);
    }

    List<Path> files() {
        return files;
    }

    /** A ring with one more key, for {@link ChainAppender#rotateKey}. */
    KeyRing with(RootKey k) {
        List<RootKey> more = new ArrayList<>(keys);
        more.add(k);
        return new KeyRing(more, files);
    }

    static int idOf(byte[] secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(ID_LABEL);
            byte[] d = md.digest(secret);
            return RecordFormat.getInt(d, 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 8 lower-case hex digits, as records and reports name keys (exporters call this per record). */
    public static String idHex(int id) {
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--) {
            c[i] = Character.forDigit(id & 0xF, 16);
            id >>>= 4;
        }
        return new String(c);
    }
}
