package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
    static final String POLICY = "version: 7\nmode: enforce\ndeny:\n  network: [{port: 23}]\n";

    @TempDir
    Path dir;
    SigningKey key;
    BundleVerifier verifier;

    @BeforeEach
    void keys() {
        key = SigningKey.generate(dir.resolve("policy.key"), dir.resolve("policy.pub"));
        verifier = new BundleVerifier(TrustedKeys.of(key.publicKey()), true);
    }

    @Test
    void aSignedBundleVerifiesAndRoundTripsThroughItsText() {
        String text = BundleSigner.sign(POLICY, "p.yaml", key).render();
        assertTrue(text.startsWith("twinlane-policy-bundle: 1\npolicy-version: 7\npolicy-sha256: "), text);
        VerifiedPolicy v = verifier.verify(text, "b");
        assertEquals(7, v.version());
        assertEquals(Optional.of(key.keyId()), v.keyId());
        assertEquals(Mode.ENFORCE, v.policy().mode());
        assertEquals(POLICY, PolicyBundle.parse(text, "b").policyText());
        assertEquals(text, v.input());
    }

    @Test
    void keyIdIsTheFirstEightBytesOfTheKeysSha256() {
        String sha = Hex.of(Hex.sha256(key.publicKey().publicKey()));
        assertEquals(sha.substring(0, 16), key.keyId());
        // the public file, reloaded, names the same key
        assertEquals(key.keyId(), TrustedKeys.load(dir).get(key.keyId()).orElseThrow().id());
    }

    @Test
    void thePrivateKeyFileIsMode600AndALooserOneIsRefused() throws Exception {
        Path priv = dir.resolve("policy.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertEquals(key.keyId(), SigningKey.load(priv).keyId());
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));
        PolicyException e = assertThrows(PolicyException.class, () -> SigningKey.load(priv));
        assertEquals("signing key " + priv + " is accessible to group or others (mode rw-r--r--); run: chmod 600 "
                + priv, e.getMessage());
    }

    @Test
    void anUnsignedPolicyIsRefusedWhenSignaturesAreRequired() {
        assertRefused(Refusal.Reason.UNSIGNED, "p.yaml is not a signed policy bundle, and signatures are required"
                + " (sign it with: twinlane policy sign --key KEY p.yaml)", verifier, POLICY);
        VerifiedPolicy v = new BundleVerifier(TrustedKeys.of(), false).verify(POLICY, "p.yaml");
        assertFalse(v.signed());
        assertEquals(7, v.version());
    }

    @Test
    void aBundleByAnUnknownKeyIsRefused() {
        SigningKey other = SigningKey.generate(dir.resolve("o.key"), dir.resolve("o.pub.txt"));
        String text = BundleSigner.sign(POLICY, "p.yaml", other).render();
        assertRefused(Refusal.Reason.UNKNOWN_KEY, "p.yaml is signed by key " + other.keyId()
                + ", which is not among the trusted keys", verifier, text);
    }

    @Test
    void anEditedPolicyTextIsRefused() {
        String text = BundleSigner.sign(POLICY, "p.yaml", key).render().replace("port: 23", "port: 24");
        assertRefused(Refusal.Reason.TAMPERED, null, verifier, text);
        assertTrue(message(verifier, text).startsWith("p.yaml was tampered with: the policy text does not match its"
                + " signed sha256"));
    }

    @Test
    void anEditedHeaderIsRefused() {
        PolicyBundle b = BundleSigner.sign(POLICY, "p.yaml", key);
        String raised = b.render().replace("policy-version: 7", "policy-version: 9");
        assertRefused(Refusal.Reason.TAMPERED, "p.yaml was tampered with: its signature does not verify with key "
                + key.keyId(), verifier, raised);
        // a valid signature over another text's hash: the text itself is then what was swapped
        String swapped = b.render().replace("version: 7\nmode: enforce", "version: 7\nmode: audit");
        assertRefused(Refusal.Reason.TAMPERED, null, verifier, swapped);
    }

    @Test
    void aBadSignatureIsRefused() {
        PolicyBundle b = BundleSigner.sign(POLICY, "p.yaml", key);
        char c = b.signature().charAt(0) == '0' ? '1' : '0';
        String text = b.render().replace("signature: " + b.signature(), "signature: " + c + b.signature().substring(1));
        assertRefused(Refusal.Reason.TAMPERED, "p.yaml was tampered with: its signature does not verify with key "
                + key.keyId(), verifier, text);
    }

    @Test
    void aMalformedBundleIsRefused() {
        String text = BundleSigner.sign(POLICY, "p.yaml", key).render();
        assertRefused(Refusal.Reason.MALFORMED, "p.yaml: not a well-formed policy bundle: line 4 should start with"
                + " 'key-id: '", verifier, text.replace("key-id: ", "keyid: "));
        assertRefused(Refusal.Reason.MALFORMED, "p.yaml: not a well-formed policy bundle: bundle format '2' is not"
                + " one this agent reads (1)", verifier, text.replace("bundle: 1\n", "bundle: 2\n"));
    }

    @Test
    void signingABrokenPolicyFails() {
        assertThrows(PolicyException.class, () -> BundleSigner.sign("version: 1\n", "p.yaml", key));
    }

    static void assertRefused(Refusal.Reason reason, String message, BundleVerifier v, String input) {
        Refusal r = assertThrows(Refusal.class, () -> v.verify(input, "p.yaml"));
        assertEquals(reason, r.reason(), r.getMessage());
        if (message != null) {
            assertEquals(message, r.getMessage());
        }
    }

    private static String message(BundleVerifier v, String input) {
        return assertThrows(Refusal.class, () -> v.verify(input, "p.yaml")).getMessage();
    }
}
