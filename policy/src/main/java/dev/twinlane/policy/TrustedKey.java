package dev.twinlane.policy;

import java.util.Arrays;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key that may sign policies and break-glass tokens, and its key id: the
 * first 8 bytes of the SHA-256 of the key, in hex, so a bundle names its key without
 * carrying it.
 */
public record TrustedKey(String id, byte[] publicKey) {
    public TrustedKey {
        publicKey = publicKey.clone();
    }

    public static TrustedKey of(byte[] publicKey) {
        if (publicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new PolicyException("an Ed25519 public key is 32 bytes, not " + publicKey.length);
        }
        return new TrustedKey(Hex.of(Arrays.copyOf(Hex.sha256(publicKey), 8)), publicKey);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public boolean verifies(byte[] message, byte[] signature) {
        return signature.length == Ed25519.SIGNATURE_SIZE
                && Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }
}
