package dev.twinlane.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Decides whether a bundle (or a plain policy file) may be applied, as far as its content
 * goes: signed by a trusted key, untouched, well formed. Whether its version is new enough is
 * {@link VersionCounter}'s part. Every refusal is a {@link Refusal} with a one-line message.
 */
public final class BundleVerifier {
    private final TrustedKeys keys;
    private final boolean requireSignature;

    public BundleVerifier(TrustedKeys keys, boolean requireSignature) {
        this.keys = keys;
        this.requireSignature = requireSignature;
    }

    public VerifiedPolicy verify(String input, String source) {
        if (!PolicyBundle.looksLikeBundle(input)) {
            if (requireSignature) {
                throw new Refusal(Refusal.Reason.UNSIGNED, source + " is not a signed policy bundle, and signatures"
                        + " are required (sign it with: twinlane policy sign --key KEY " + source + ")");
            }
            return new VerifiedPolicy(PolicyParser.parse(input, source), input, Optional.empty());
        }
        PolicyBundle b = PolicyBundle.parse(input, source);
        TrustedKey key = keys.get(b.keyId()).orElseThrow(() -> new Refusal(Refusal.Reason.UNKNOWN_KEY,
                source + " is signed by key " + b.keyId() + ", which is not among the trusted keys"));
        if (!key.verifies(b.signedBytes(), Hex.parse(b.signature(), 64))) {
            throw tampered(source, "its signature does not verify with key " + b.keyId());
        }
        byte[] sha = Hex.sha256(b.policyText().getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(sha, Hex.parse(b.policySha256(), 32))) {
            throw tampered(source, "the policy text does not match its signed sha256 (" + b.policySha256()
                    + ", the text has " + Hex.of(sha) + ")");
        }
        PolicyFile policy = PolicyParser.parse(b.policyText(), source);
        if (policy.version() != b.policyVersion()) {
            throw tampered(source, "the bundle says policy version " + b.policyVersion() + ", the policy in it says "
                    + policy.version());
        }
        return new VerifiedPolicy(policy, input, Optional.of(b.keyId()));
    }

    private static Refusal tampered(String source, String why) {
        return new Refusal(Refusal.Reason.TAMPERED, source + " was tampered with: " + why);
    }
}
