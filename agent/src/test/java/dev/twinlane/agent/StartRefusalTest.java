package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Starts the pipeline refuses: with one line, and before anything is written (no key
 * generated, no log touched, no directory created). Runs as root (owners are changed).
 */
class StartRefusalTest {
    @TempDir
    Path tmp;

    private AgentConfig config(Path data) {
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.mode(IngestConfig.Mode.AUDIT); // should a refusal regress into a start: enforce nothing
        return c;
    }

    /** The message of the refusal; a start that should have been refused is closed and fails the test. */
    private static String refused(AgentConfig c) throws Exception {
        Pipeline p;
        try {
            p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN);
        } catch (Exception e) {
            assertEquals(1, e.getMessage().split("\n").length, "one line: " + e.getMessage());
            return e.getMessage();
        }
        p.close();
        return fail("started");
    }

    /** Every file and directory under dir with its mode, owner and content hash. */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String what = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    what += " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                }
                out.put(dir.relativize(p).toString(), what);
            }
        }
        return out;
    }

    /** Both logs with a record each, written as the agent writes them; the root key kept outside DATA. */
    private Path existingLogs(Path data) throws IOException {
        Path keys = Files.createDirectories(data.resolve("keys"));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwx------"));
        Path offHost = Files.createDirectories(tmp.resolve("off-host")).resolve("security.key");
        KeyRing.generate(offHost);
        SealKey seal = SealKey.generate(keys.resolve("seal.key"), keys.resolve("seal.pub"));
        KeyRing ring = KeyRing.load(offHost);
        try (ChainedLog sec = ChainedLog.security(data.resolve("security")).keys(ring).sealKey(seal).build();
                ChainedLog obs = ChainedLog.observability(data.resolve("observability")).keys(ring).build()) {
            sec.appender().append(1, new byte[] {1});
            obs.appender().append(Pipeline.OBSERVABILITY_BATCH, new byte[] {2});
        }
        assertTrue(Files.exists(data.resolve("security/key.state")) && Files.exists(data.resolve("observability/key.state")));
        return offHost;
    }

    @Test
    void aConfiguredRootKeyFileThatIsMissingGeneratesNothing() throws Exception {
        Path data = tmp.resolve("data");
        AgentConfig c = config(data);
        c.keyFile = tmp.resolve("elsewhere/security.key");
        String m = refused(c);
        assertTrue(m.contains(c.keyFile + " (security.key_file) does not exist"), m);
        assertFalse(Files.exists(data), "no seal key generated, no directory created: " + snapshot(tmp));
    }

    @Test
    void aConfiguredSealKeyFileThatIsMissingGeneratesNothing() throws Exception {
        Path data = tmp.resolve("data");
        AgentConfig c = config(data);
        c.sealKeyFile = tmp.resolve("elsewhere/seal.key");
        String m = refused(c);
        assertTrue(m.contains(c.sealKeyFile + " (security.seal_key_file) does not exist"), m);
        assertFalse(Files.exists(data), "no root key generated: " + snapshot(tmp));
    }

    @Test
    void aRootKeyThatCannotBeUsedIsRefusedBeforeASealKeyIsGenerated() throws Exception {
        Path data = tmp.resolve("data");
        AgentConfig c = config(data);
        c.keyFile = tmp.resolve("root.key");
        KeyRing.generate(c.keyFile);
        Files.setPosixFilePermissions(c.keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(refused(c).contains("accessible to group or others"));
        assertFalse(Files.exists(data), "no seal key generated: " + snapshot(tmp));

        Files.setPosixFilePermissions(c.keyFile, PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(c.keyFile, "unix:uid", 65534);
        String m = refused(c);
        assertTrue(m.contains("key file " + c.keyFile + " is owned by uid 65534, not root; run: chown root:root "), m);
        assertFalse(Files.exists(data), "no seal key generated: " + snapshot(tmp));
    }

    @Test
    void aLogWithoutItsKeyStateAndNoRootKeyGetsNoNewRootKey() throws Exception {
        Path data = tmp.resolve("data");
        existingLogs(data);
        Files.delete(data.resolve("observability/key.state"));
        Map<String, String> before = snapshot(data);
        String m = refused(config(data));
        assertTrue(m.contains("root key file " + data.resolve("keys/security.key") + " is missing and "
                + data.resolve("observability") + " has no key state file"), m);
        assertEquals(before, snapshot(data), "no key generated, neither log touched");
    }

    @Test
    void aMissingSealKeyOfExistingLogsIsNotReplaced() throws Exception {
        Path data = tmp.resolve("data");
        existingLogs(data); // root key off this host, as the agent advises: the state files continue the logs
        Files.delete(data.resolve("keys/seal.key"));
        Map<String, String> before = snapshot(data);
        String m = refused(config(data));
        assertTrue(m.contains("seal key file " + data.resolve("keys/seal.key") + " is missing"), m);
        assertEquals(before, snapshot(data), "no new seal key: seals by it would not verify against the genesis");
    }

    private static void chmod(String mode, Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start().waitFor());
    }

    private void dirRefused(AgentConfig c, String expected) throws Exception {
        Map<String, String> before = snapshot(tmp);
        assertEquals(expected, refused(c));
        assertEquals(before, snapshot(tmp), "nothing generated, created or written");
    }

    @Test
    void aWorldWritableDataDirIsRefused() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        chmod("777", data);
        dirRefused(config(data), "data dir " + data + " is world-writable (mode 777): chmod 700 " + data);
    }

    @Test
    void aGroupWritableLogDirIsRefused() throws Exception {
        Path data = tmp.resolve("data");
        Path sec = Files.createDirectories(data.resolve("security"));
        chmod("775", sec);
        dirRefused(config(data), "security log dir " + sec + " is group-writable (mode 775): chmod 700 " + sec);
    }

    @Test
    void aLogDirOwnedByAnotherUserIsRefused() throws Exception {
        Path data = tmp.resolve("data");
        Path obs = Files.createDirectories(data.resolve("observability"));
        chmod("700", obs);
        Files.setAttribute(obs, "unix:uid", 65534);
        dirRefused(config(data), "observability log dir " + obs + " is owned by uid 65534, not the agent's (uid 0):"
                + " chown root " + obs);
    }

    @Test
    void aWritableKeyDirIsRefused() throws Exception {
        Path data = tmp.resolve("data");
        Path keys = Files.createDirectories(data.resolve("keys"));
        chmod("1777", keys);
        dirRefused(config(data), "key dir " + keys + " is world-writable (mode 1777): chmod 700 " + keys);

        chmod("700", keys);
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        chmod("777", shared);
        AgentConfig c = config(data);
        c.sealKeyFile = shared.resolve("seal.key");
        SealKey.generate(c.sealKeyFile, shared.resolve("seal.pub"));
        dirRefused(c, "key dir " + shared + " (of security.seal_key_file) is world-writable (mode 777): chmod go-w "
                + shared + ", or keep the key file in a directory only root can write");
    }

    @Test
    void aWritableStateDirIsRefused() throws Exception {
        // DATA/state holds the logs' identities: whoever may write there could make a log restart silently
        Path data = tmp.resolve("data");
        Path state = Files.createDirectories(data.resolve("state"));
        chmod("777", state);
        dirRefused(config(data), "state dir " + state + " is world-writable (mode 777): chmod 700 " + state);
    }
}
