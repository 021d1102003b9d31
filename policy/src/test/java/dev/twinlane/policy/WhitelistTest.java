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
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhitelistTest {
    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @TempDir
    Path dir;
    byte[] privateKey;
    Whitelist whitelist;

    @BeforeEach
    void keys() {
        Whitelist.generateKey(dir.resolve("wl.key"), dir.resolve("wl.pub"));
        privateKey = Whitelist.loadPrivateKey(dir.resolve("wl.key"));
        whitelist = Whitelist.load(dir.resolve("wl.pub"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void freshWellSignedEntriesAreTaken() {
        String text = "# comment\n" + Whitelist.sign(privateKey, "/opt/app/bin/tool", NOW.minus(Duration.ofHours(23)))
                + "\n" + Whitelist.sign(privateKey, "/srv/my data/x", NOW) + "\n";
        WhitelistReport r = whitelist.read(text);
        assertEquals(List.of(), r.rejected());
        assertEquals(List.of("/opt/app/bin/tool", "/srv/my data/x"), r.accepted().stream().map(WhitelistEntry::path)
                .toList());
        assertEquals(NOW.plus(Duration.ofHours(1)), r.accepted().get(0).expires());
        assertEquals(3, r.accepted().get(1).line());
    }

    @Test
    void expiredEntriesAreIgnoredAndReported() {
        Instant issued = NOW.minus(Duration.ofHours(24));
        WhitelistReport r = whitelist.read(Whitelist.sign(privateKey, "/opt/old", issued) + "\n");
        assertEquals(List.of(), r.accepted());
        assertEquals(1, r.rejected().size());
        assertEquals(WhitelistReport.Reason.EXPIRED, r.rejected().get(0).reason());
        assertEquals("whitelist line 1 ignored: it expired at 2026-12-06T12:00:00Z", r.rejected().get(0).message());
    }

    @Test
    void entriesFromTheFutureAreIgnoredAndReported() {
        WhitelistReport r = whitelist.read(Whitelist.sign(privateKey, "/opt/x", NOW.plus(Duration.ofMinutes(6))));
        assertEquals(WhitelistReport.Reason.NOT_YET_VALID, r.rejected().get(0).reason());
        // within the allowed clock skew it is taken
        assertEquals(1, whitelist.read(Whitelist.sign(privateKey, "/opt/x", NOW.plus(Duration.ofMinutes(4))))
                .accepted().size());
    }

    @Test
    void badlySignedEntriesAreIgnoredAndReported() {
        String good = Whitelist.sign(privateKey, "/opt/app", NOW);
        String otherPath = good.replace("/opt/app", "/opt/evil");
        byte[] otherKey = Whitelist.generateKey(dir.resolve("o.key"), dir.resolve("o.pub"));
        String otherSigner = Whitelist.sign(Whitelist.loadPrivateKey(dir.resolve("o.key")), "/opt/app", NOW);
        String laterIssued = good.replaceFirst("^[0-9]+", String.valueOf(NOW.getEpochSecond() + 1));
        WhitelistReport r = whitelist.read(good + "\n" + otherPath + "\n" + otherSigner + "\n" + laterIssued + "\n");
        assertEquals(List.of("/opt/app"), r.accepted().stream().map(WhitelistEntry::path).toList());
        assertEquals(List.of(2, 3, 4), r.rejected().stream().map(WhitelistReport.Rejected::line).toList());
        r.rejected().forEach(x -> assertEquals(WhitelistReport.Reason.BAD_SIGNATURE, x.reason()));
        assertEquals(otherPath, r.rejected().get(0).text());
        assertEquals(65, otherKey.length);
    }

    @Test
    void malformedLinesAreIgnoredAndReported() {
        WhitelistReport r = whitelist.read("1700000000 abcd /x\nnot an entry\n1700000000 " + "0".repeat(128)
                + " relative/path\n");
        assertEquals(List.of(WhitelistReport.Reason.MALFORMED, WhitelistReport.Reason.MALFORMED,
                WhitelistReport.Reason.MALFORMED), r.rejected().stream().map(WhitelistReport.Rejected::reason).toList());
        assertEquals("whitelist line 3 ignored: it is not an absolute path (it must start with /)",
                r.rejected().get(2).message());
    }

    @Test
    void keysAreCheckedWhenLoaded() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("wl.key"), PosixFilePermissions.fromString("rw-r-----"));
        assertThrows(PolicyException.class, () -> Whitelist.loadPrivateKey(dir.resolve("wl.key")));
        byte[] notAPoint = new byte[65];
        notAPoint[0] = 4;
        assertThrows(PolicyException.class, () -> new Whitelist(notAPoint, Clock.systemUTC()));
    }
}
