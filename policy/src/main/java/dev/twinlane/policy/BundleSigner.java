package dev.twinlane.policy;

import java.nio.charset.StandardCharsets;

/** Signs a policy into a bundle. The policy is parsed first: a bundle of a broken policy helps no one. */
public final class BundleSigner {
    private BundleSigner() {
    }

    public static PolicyBundle sign(String policyText, String source, SigningKey key) {
        PolicyFile policy = PolicyParser.parse(policyText, source);
        String sha = Hex.of(Hex.sha256(policyText.getBytes(StandardCharsets.UTF_8)));
        PolicyBundle unsigned = new PolicyBundle(PolicyBundle.FORMAT, policy.version(), sha, key.keyId(), "",
                policyText);
        return new PolicyBundle(PolicyBundle.FORMAT, policy.version(), sha, key.keyId(),
                Hex.of(key.sign(unsigned.signedBytes())), policyText);
    }
}
