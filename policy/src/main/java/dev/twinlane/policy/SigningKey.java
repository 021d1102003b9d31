package dev.twinlane.policy;

import java.nio.file.Path;
import java.security.SecureRandom;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The Ed25519 private key that signs policy bundles and break-glass tokens. Its file holds
 * the 32-byte seed in hex with mode 600; one readable by group or others is refused, as the
 * key could then have been copied.
 */
public final class SigningKey {
    private final byte[] seed;
    private final TrustedKey publicKey;

    private SigningKey(byte[] seed) {
        this.seed = seed;
        byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed, 0, pub, 0);
        this.publicKey = TrustedKey.of(pub);
    }

    /** A new key: the private file with mode 600, the public one (for a trusted-key directory) 644. */
    public static SigningKey generate(Path privateFile, Path publicFile) {
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        new SecureRandom().nextBytes(seed);
        SigningKey k = new SigningKey(seed);
        KeyFile.write(privateFile, "twinlane policy signing key " + k.keyId() + " (Ed25519, private)", seed, true);
        KeyFile.write(publicFile, "twinlane policy key " + k.keyId() + " (Ed25519, public)",
                k.publicKey.publicKey(), false);
        return k;
    }

    public static SigningKey load(Path privateFile) {
        KeyFile.requirePrivate(privateFile, "signing key");
        return new SigningKey(KeyFile.read(privateFile, Ed25519.SECRET_KEY_SIZE, "signing key"));
    }

    public String keyId() {
        return publicKey.id();
    }

    public TrustedKey publicKey() {
        return publicKey;
    }

    byte[] sign(byte[] message) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, message, 0, message.length, sig, 0);
        return sig;
    }
}
