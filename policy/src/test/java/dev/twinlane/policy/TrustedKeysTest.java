package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedKeysTest {
    @TempDir
    Path tmp;

    @Test
    void loadsEveryPubFile() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        SigningKey a = SigningKey.generate(tmp.resolve("a.key"), keys.resolve("a.pub"));
        SigningKey b = SigningKey.generate(tmp.resolve("b.key"), keys.resolve("b.pub"));
        Files.writeString(keys.resolve("README"), "not a key");
        TrustedKeys t = TrustedKeys.load(keys);
        assertEquals(2, t.all().size());
        assertTrue(t.get(a.keyId()).isPresent());
        assertTrue(t.get(b.keyId()).isPresent());
        assertTrue(t.get("0000000000000000").isEmpty());
    }

    @Test
    void aGroupOrWorldWritableDirectoryIsRefused() throws Exception {
        for (String mode : new String[] {"rwxrwxr-x", "rwxr-xrwx"}) {
            Path keys = Files.createDirectory(tmp.resolve("keys-" + mode));
            Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString(mode));
            Refusal r = assertThrows(Refusal.class, () -> TrustedKeys.load(keys));
            assertEquals(Refusal.Reason.UNSAFE_KEY_DIRECTORY, r.reason());
            assertEquals("trusted-key directory " + keys + " is writable by group or others (mode " + mode
                    + "); run: chmod go-w " + keys, r.getMessage());
        }
    }

    @Test
    void aDirectoryHoldingASymbolicLinkIsRefused() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        SigningKey.generate(tmp.resolve("a.key"), tmp.resolve("a.pub"));
        Files.createSymbolicLink(keys.resolve("a.pub"), tmp.resolve("a.pub"));
        Refusal r = assertThrows(Refusal.class, () -> TrustedKeys.load(keys));
        assertEquals(Refusal.Reason.UNSAFE_KEY_DIRECTORY, r.reason());
        assertEquals("trusted-key directory " + keys + " holds a symbolic link, a.pub; keys must be plain files there",
                r.getMessage());
    }

    @Test
    void aDirectoryThatIsASymbolicLinkIsRefused() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("keys"), real);
        Refusal r = assertThrows(Refusal.class, () -> TrustedKeys.load(link));
        assertEquals(Refusal.Reason.UNSAFE_KEY_DIRECTORY, r.reason());
    }

    @Test
    void aBrokenKeyFileIsNamed() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        Files.writeString(keys.resolve("x.pub"), "# comment\nabcd\n");
        PolicyException e = assertThrows(PolicyException.class, () -> TrustedKeys.load(keys));
        assertEquals("trusted key " + keys.resolve("x.pub") + ": expected 64 hex digits", e.getMessage());
    }
}
