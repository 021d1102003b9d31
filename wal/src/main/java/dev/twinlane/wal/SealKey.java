package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 key pair for SEAL records (Bouncy Castle). Files hold 64 hex digits: the private
 * seed (mode 600, root-owned for the writer) or the public key (may be public).
 */
public final class SealKey {
    private final byte[] secret;
    private final byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    private final Path file;

    private SealKey(byte[] secret, Path file) {
        this.secret = secret;
        this.file = file;
        Ed25519.generatePublicKey(secret, 0, publicKey, 0);
    }

    public static SealKey load(Path privateKeyFile) {
        KeyFiles.requirePrivate(privateKeyFile, false);
        return new SealKey(KeyFiles.unhex(firstLine(privateKeyFile), 32, "seal key file " + privateKeyFile),
                privateKeyFile);
    }

    public static byte[] loadPublic(Path publicKeyFile) {
        return KeyFiles.unhex(firstLine(publicKeyFile), 32, "seal public key file " + publicKeyFile);
    }

    /** Writes a new pair: the private file with mode 600, the public one world-readable. */
    public static SealKey generate(Path privateKeyFile, Path publicKeyFile) throws IOException {
        byte[] secret = new byte[Ed25519.SECRET_KEY_SIZE];
        Ed25519.generatePrivateKey(new SecureRandom(), secret);
        SealKey k = new SealKey(secret, privateKeyFile);
        KeyFiles.writeAtomically(privateKeyFile, ("# twinlane-wal Ed25519 seal key (private)\n"
                + KeyFiles.hex(secret) + "\n").getBytes(StandardCharsets.US_ASCII), true);
        KeyFiles.writeAtomically(publicKeyFile, ("# twinlane-wal Ed25519 seal key (public)\n"
                + KeyFiles.hex(k.publicKey) + "\n").getBytes(StandardCharsets.US_ASCII), false);
        return k;
    }

    private static String firstLine(Path f) {
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
            for (String l : lines) {
                if (!l.isBlank() && !l.trim().startsWith("#")) {
                    return l;
                }
            }
            throw new WalException(f + " holds no key (expected 64 hex digits)");
        } catch (IOException e) {
            throw new WalException("cannot read " + f + ": " + e.getMessage());
        }
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    Path file() {
        return file;
    }

    void sign(byte[] message, byte[] signature, int sigOff) {
        Ed25519.sign(secret, 0, message, 0, message.length, signature, sigOff);
    }
}
