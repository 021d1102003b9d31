package dev.twinlane.policy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDSA over P-256 with SHA-256 (Bouncy Castle), as seed 003 signs whitelist entries.
 * Signatures are r and s, 32 bytes each; signing is deterministic (RFC 6979), so it needs no
 * good randomness at signing time. Public keys are uncompressed points (65 bytes).
 */
final class P256 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(),
            CURVE.getN(), CURVE.getH());
    static final int PUBLIC_KEY_SIZE = 65;
    static final int PRIVATE_KEY_SIZE = 32;
    static final int SIGNATURE_SIZE = 64;

    private P256() {
    }

    /** A new pair: {private scalar (32 bytes), public point (65 bytes)}. */
    static byte[][] generate() {
        ECKeyPairGenerator g = new ECKeyPairGenerator();
        g.init(new ECKeyGenerationParameters(DOMAIN, new SecureRandom()));
        AsymmetricCipherKeyPair pair = g.generateKeyPair();
        BigInteger d = ((ECPrivateKeyParameters) pair.getPrivate()).getD();
        return new byte[][] {BigIntegers.asUnsignedByteArray(PRIVATE_KEY_SIZE, d), publicKey(d)};
    }

    static byte[] publicKey(BigInteger d) {
        return DOMAIN.getG().multiply(d).normalize().getEncoded(false);
    }

    static byte[] sign(byte[] privateKey, String message) {
        ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        s.init(true, new ECPrivateKeyParameters(new BigInteger(1, privateKey), DOMAIN));
        BigInteger[] rs = s.generateSignature(Hex.sha256(message.getBytes(StandardCharsets.UTF_8)));
        byte[] out = new byte[SIGNATURE_SIZE];
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[0]), 0, out, 0, 32);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[1]), 0, out, 32, 32);
        return out;
    }

    /** False for a bad signature and for a public key that is not a point on the curve. */
    static boolean verify(byte[] publicKey, String message, byte[] signature) {
        try {
            ECDSASigner s = new ECDSASigner();
            s.init(false, new ECPublicKeyParameters(DOMAIN.getCurve().decodePoint(publicKey), DOMAIN));
            return s.verifySignature(Hex.sha256(message.getBytes(StandardCharsets.UTF_8)),
                    new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, 32)),
                    new BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64)));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether {@code publicKey} is a point of the curve: checked once, when the key is loaded. */
    static boolean isPoint(byte[] publicKey) {
        try {
            return DOMAIN.getCurve().decodePoint(publicKey).isValid();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
