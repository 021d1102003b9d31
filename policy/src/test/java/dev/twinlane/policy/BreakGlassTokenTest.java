package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BreakGlassTokenTest {
    static final Instant ISSUED = Instant.parse("2026-12-06T12:00:00Z");

    @TempDir
    Path dir;
    SigningKey key;
    TrustedKeys trusted;

    @BeforeEach
    void keys() {
        key = SigningKey.generate(dir.resolve("k"), dir.resolve("k.pub"));
        trusted = TrustedKeys.of(key.publicKey());
    }

    @Test
    void aFreshTokenIsValidFor24Hours() {
        String token = BreakGlassToken.create(key, ISSUED);
        assertEquals(ISSUED.getEpochSecond() + ":", token.substring(0, token.indexOf(':') + 1));
        BreakGlassToken t = BreakGlassToken.verify(token, trusted, at(ISSUED.plus(Duration.ofHours(23))));
        assertEquals(ISSUED, t.issued());
        assertEquals(ISSUED.plus(Duration.ofHours(24)), t.expires());
        assertEquals(key.keyId(), t.keyId());
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = BreakGlassToken.create(key, ISSUED);
        Refusal r = assertThrows(Refusal.class,
                () -> BreakGlassToken.verify(token, trusted, at(ISSUED.plus(Duration.ofHours(24)))));
        assertEquals(Refusal.Reason.EXPIRED_TOKEN, r.reason());
        assertEquals("break-glass token refused: it expired at 2026-12-07T12:00:00Z (valid 24 h from"
                + " 2026-12-06T12:00:00Z)", r.getMessage());
    }

    @Test
    void aTokenFromTheFutureIsRefused() {
        String token = BreakGlassToken.create(key, ISSUED.plus(Duration.ofHours(1)));
        assertEquals(Refusal.Reason.BAD_TOKEN, assertThrows(Refusal.class,
                () -> BreakGlassToken.verify(token, trusted, at(ISSUED))).reason());
    }

    @Test
    void aForgedOrEditedTokenIsRefused() {
        String token = BreakGlassToken.create(key, ISSUED);
        // moving the timestamp forward to extend it breaks the signature
        String extended = (ISSUED.getEpochSecond() + 3600) + token.substring(token.indexOf(':'));
        Refusal r = assertThrows(Refusal.class,
                () -> BreakGlassToken.verify(extended, trusted, at(ISSUED.plus(Duration.ofHours(2)))));
        assertEquals("break-glass token refused: no trusted key signed it", r.getMessage());
        SigningKey stranger = SigningKey.generate(dir.resolve("s"), dir.resolve("s.pub"));
        assertEquals(Refusal.Reason.BAD_TOKEN, assertThrows(Refusal.class, () -> BreakGlassToken.verify(
                BreakGlassToken.create(stranger, ISSUED), trusted, at(ISSUED))).reason());
        assertEquals("break-glass token refused: it is not '<unix seconds>:<128 hex digits>'", assertThrows(
                Refusal.class, () -> BreakGlassToken.verify("yesterday:abc", trusted, at(ISSUED))).getMessage());
    }

    @Test
    void aBundleSignatureIsNoToken() {
        // the same key signs bundles: a bundle's signature over its header must not verify as a token
        PolicyBundle b = BundleSigner.sign("version: 1\nmode: audit\n", "p", key);
        assertThrows(Refusal.class, () -> BreakGlassToken.verify(ISSUED.getEpochSecond() + ":" + b.signature(),
                trusted, at(ISSUED)));
    }

    @Test
    void aTokenFileOthersCanWriteIsRefused() throws Exception {
        Path f = dir.resolve("token");
        Files.writeString(f, BreakGlassToken.create(key, ISSUED) + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals(ISSUED, BreakGlassToken.verifyFile(f, trusted, at(ISSUED)).issued());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(Refusal.Reason.BAD_TOKEN, assertThrows(Refusal.class,
                () -> BreakGlassToken.verifyFile(f, trusted, at(ISSUED))).reason());
    }

    private static Clock at(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }
}
