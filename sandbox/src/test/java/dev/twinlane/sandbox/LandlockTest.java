package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Landlock on the host kernel: writes outside the allowed paths fail with EACCES whichever call
 * makes them, the same calls inside succeed; TCP ports a profile does not list are refused.
 */
class LandlockTest {
    @TempDir
    Path cache;
    @TempDir
    Path root;
    private Path allowed;
    private Path outside;
    private Sandboxed box;
    private List<ProfileSource> profile;

    @BeforeEach
    void setUp() throws Exception {
        allowed = Files.createDirectory(root.resolve("allowed"));
        outside = Files.createDirectory(root.resolve("outside"));
        for (Path dir : List.of(allowed, outside)) {
            Files.writeString(dir.resolve("existing"), "x");
            Files.writeString(dir.resolve("doomed"), "x");
        }
        box = new Sandboxed(cache);
        profile = List.of(BuiltinProfile.source("minimal"),
                Sandboxed.text("test.profile", "syscalls mkdir rename unlink", "read " + root, "write " + allowed));
    }

    @Test
    void writesOutsideTheAllowedPathsFailWithEacces() throws Exception {
        assertEquals("EACCES", probe("create", outside.resolve("new")));
        assertEquals("EACCES", probe("write", outside.resolve("existing")));
        assertEquals("EACCES", probe("mkdir", outside.resolve("dir")));
        assertEquals("EACCES", probe("rename", outside.resolve("existing"), outside.resolve("renamed")));
        assertEquals("EACCES", probe("unlink", outside.resolve("doomed")));
        assertFalse(Files.exists(outside.resolve("new")) || Files.exists(outside.resolve("dir")) || Files.exists(outside.resolve("renamed")));
        assertTrue(Files.exists(outside.resolve("doomed")) && Files.exists(outside.resolve("existing")));
        assertEquals("ok", probe("read", outside.resolve("existing")), "reading is allowed beneath the root");
    }

    @Test
    void theSameWritesInsideTheAllowedPathWork() throws Exception {
        assertEquals("ok", probe("create", allowed.resolve("new")));
        assertEquals("ok", probe("write", allowed.resolve("existing")));
        assertEquals("ok", probe("mkdir", allowed.resolve("dir")));
        assertEquals("ok", probe("rename", allowed.resolve("existing"), allowed.resolve("renamed")));
        assertEquals("ok", probe("unlink", allowed.resolve("doomed")));
        assertTrue(Files.exists(allowed.resolve("new")) && Files.isDirectory(allowed.resolve("dir")) && Files.exists(allowed.resolve("renamed")));
    }

    @Test
    void movingAFileOutOfTheAllowedPathFails() throws Exception {
        String word = probe("rename", allowed.resolve("existing"), outside.resolve("moved"));
        // Landlock answers EXDEV where a rename would change what a file's rights are, else EACCES
        assertTrue(word.equals("EACCES") || word.equals("EXDEV"), word);
        assertTrue(Files.exists(allowed.resolve("existing")));
    }

    @Test
    void confineWritesWhereTheKernelRefusesLandlockStillRunsTheCommandAndSaysWhy() throws Exception {
        // a seccomp allowlist without the landlock calls makes the kernel refuse them, as a container's profile may
        Sandboxed.Result r = box.run(List.of(BuiltinProfile.source("build"), Sandboxed.text("all.profile", "read /", "execute /")),
                SandboxHelper.installed(cache).file().toString(), "--confine-writes", allowed.toString(), "--", "/usr/bin/env");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(WriteConfinement.ENV + "=none: landlock_create_ruleset: Operation not permitted\n"), r.out());
    }

    @Test
    void tcpPortsAProfileDoesNotListAreRefused() throws Exception {
        try (ServerSocket listed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket unlisted = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<ProfileSource> ports = List.of(BuiltinProfile.source("network"),
                    Sandboxed.text("ports.profile", "connect " + listed.getLocalPort(), "bind none"));
            Sandboxed.Result first = box.probe(ports, "connect", String.valueOf(listed.getLocalPort()));
            Assumptions.assumeFalse(first.exit() == 125 && first.err().contains("ABI 4"), "skipped: " + first.err().strip());
            assertEquals("ok", first.word());
            assertEquals("EACCES", box.probe(ports, "connect", String.valueOf(unlisted.getLocalPort())).word());
            assertEquals("EACCES", box.probe(ports, "bind", "0").word());
        }
    }

    private String probe(String op, Path... paths) throws Exception {
        String[] args = new String[paths.length + 1];
        args[0] = op;
        for (int i = 0; i < paths.length; i++) {
            args[i + 1] = paths[i].toString();
        }
        return box.probe(profile, args).word();
    }
}
