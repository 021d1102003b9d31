package dev.twinlane.policy;

import java.nio.charset.StandardCharsets;

/**
 * A signed policy: a header of five lines, a blank line, then the policy text exactly as
 * signed (see docs/POLICY.md). The signature covers the first four header lines, and through
 * the sha256 line the text; the format version and policy version are signed too, so neither
 * can be edited to pass the anti-rollback check.
 *
 * <pre>
 * twinlane-policy-bundle: 1
 * policy-version: 7
 * policy-sha256: 64 hex digits
 * key-id: 16 hex digits
 * signature: 128 hex digits (Ed25519)
 *
 * version: 7
 * ...
 * </pre>
 */
public record PolicyBundle(int formatVersion, long policyVersion, String policySha256, String keyId, String signature,
        String policyText) {
    public static final String MAGIC = "twinlane-policy-bundle: ";
    public static final int FORMAT = 1;

    /** Whether {@code input} is a bundle at all (else it is a plain, unsigned policy). */
    public static boolean looksLikeBundle(String input) {
        return input.startsWith(MAGIC);
    }

    /** What the signature covers. */
    public byte[] signedBytes() {
        return (MAGIC + formatVersion + "\npolicy-version: " + policyVersion + "\npolicy-sha256: " + policySha256
                + "\nkey-id: " + keyId + "\n").getBytes(StandardCharsets.UTF_8);
    }

    public String render() {
        return new String(signedBytes(), StandardCharsets.UTF_8) + "signature: " + signature + "\n\n" + policyText;
    }

    /** Reads the header strictly: any other line, order or spelling is a malformed bundle. */
    public static PolicyBundle parse(String input, String source) {
        String[] keys = {MAGIC.trim(), "policy-version:", "policy-sha256:", "key-id:", "signature:"};
        String[] values = new String[keys.length];
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            int nl = input.indexOf('\n', at);
            String line = nl < 0 ? input.substring(at) : input.substring(at, nl);
            if (nl < 0 || !line.startsWith(keys[i] + " ")) {
                throw malformed(source, "line " + (i + 1) + " should start with '" + keys[i] + " '");
            }
            values[i] = line.substring(keys[i].length() + 1);
            at = nl + 1;
        }
        if (!input.startsWith("\n", at)) {
            throw malformed(source, "line 6 should be empty (the policy text follows it)");
        }
        if (!values[0].equals(String.valueOf(FORMAT))) {
            throw malformed(source, "bundle format '" + values[0] + "' is not one this agent reads (" + FORMAT + ")");
        }
        if (!values[1].matches("[1-9][0-9]{0,17}")) {
            throw malformed(source, "policy-version '" + values[1] + "' is not a whole number from 1");
        }
        if (Hex.parse(values[2], 32) == null || Hex.parse(values[3], 8) == null || Hex.parse(values[4], 64) == null) {
            throw malformed(source, "policy-sha256, key-id and signature must be 64, 16 and 128 hex digits");
        }
        return new PolicyBundle(FORMAT, Long.parseLong(values[1]), values[2], values[3], values[4],
                input.substring(at + 1));
    }

    private static Refusal malformed(String source, String why) {
        return new Refusal(Refusal.Reason.MALFORMED, source + ": not a well-formed policy bundle: " + why);
    }
}
