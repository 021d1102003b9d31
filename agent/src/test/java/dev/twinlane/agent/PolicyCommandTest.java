package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.policy.BundleVerifier;
import dev.twinlane.policy.PolicyBundle;
import dev.twinlane.policy.TrustedKeys;

/** The policy commands that need no agent: keygen and sign make a bundle the agents' verifier accepts. */
class PolicyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void keygenAndSignMakeABundleThatATrustedKeyDirectoryVerifies() throws Exception {
        Path key = tmp.resolve("signer.key");
        Path keys = Files.createDirectory(tmp.resolve("trusted"));
        Console c = Console.run("policy", "keygen", "--out", key.toString(), "--public", keys.resolve("signer.pub").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().startsWith("key "), c.out());
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), "version: 3\nmode: audit\n");
        c = Console.run("policy", "sign", "--key", key.toString(), policy.toString());
        assertEquals(0, c.code(), c.err());
        String text = Files.readString(tmp.resolve("policy.yaml.bundle"));
        assertEquals(3, PolicyBundle.parse(text, "policy.yaml.bundle").policyVersion());
        assertEquals(3, new BundleVerifier(TrustedKeys.load(keys), true).verify(text, "policy.yaml.bundle").version());
    }

    @Test
    void aBadPolicyIsNotSignedAndAMissingAgentIsOneLine() throws Exception {
        Path key = tmp.resolve("signer.key");
        assertEquals(0, Console.run("policy", "keygen", "--out", key.toString()).code());
        Path policy = Files.writeString(tmp.resolve("bad.yaml"), "version: 3\nmode: audit\nbogus: 1\n");
        Console c = Console.run("policy", "sign", "--key", key.toString(), policy.toString());
        assertEquals(1, c.code());
        assertEquals(1, c.err().lines().count(), c.err());
        assertTrue(c.err().contains("bogus"), c.err());
        assertTrue(Files.notExists(tmp.resolve("bad.yaml.bundle")));

        c = Console.run("policy", "show", "--socket", tmp.resolve("none.sock").toString());
        assertEquals(1, c.code());
        assertTrue(c.err().contains("no agent listens on"), c.err());
        assertEquals(1, c.err().lines().count(), c.err());
    }
}
