package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each built-in profile on the host kernel: what it allows works, what it does not fails with EPERM. */
class BuiltinProfileTest {
    @TempDir
    Path cache;

    @Test
    void minimalRunsAProgramAndRefusesSockets() throws Exception {
        Sandboxed box = new Sandboxed(cache);
        assertEquals(0, box.builtin("minimal", "/bin/true").exit());
        assertEquals("ok", box.builtin("minimal", Sandboxed.PROBE, "read", "/etc/ld.so.cache").word());
        assertEquals("EPERM", box.builtin("minimal", Sandboxed.PROBE, "socket").word());
        assertEquals("EPERM", box.builtin("minimal", Sandboxed.PROBE, "mount", "/mnt").word());
    }

    @Test
    void minimalRefusesChildProcessesThatBuildAllows() throws Exception {
        Sandboxed box = new Sandboxed(cache);
        String script = "/bin/true; echo status $?";
        assertEquals("status 0", box.builtin("build", "/bin/sh", "-c", script).word());
        Sandboxed.Result minimal = box.builtin("minimal", "/bin/sh", "-c", script);
        assertEquals("", minimal.word(), "sh could not fork under minimal, so it printed nothing: " + minimal);
    }

    @Test
    void networkConnectsToALoopbackListenerButCannotMount() throws Exception {
        Sandboxed box = new Sandboxed(cache);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(listener.getLocalPort());
            assertEquals("ok", box.builtin("network", Sandboxed.PROBE, "connect", port).word());
            assertEquals("EPERM", box.builtin("minimal", Sandboxed.PROBE, "connect", port).word());
        }
        assertEquals("EPERM", box.builtin("network", Sandboxed.PROBE, "mount", "/mnt").word());
    }

    @Test
    void aProfileWithoutAWriteRuleCannotWrite() throws Exception {
        Sandboxed box = new Sandboxed(cache);
        Path outside = cache.resolve("x");
        Sandboxed.Result shell = box.run(List.of(BuiltinProfile.source("minimal")), "/bin/sh", "-c", "exec 3>" + outside);
        assertEquals(2, shell.exit(), shell.toString());
        assertEquals(true, shell.err().contains("Permission denied"), shell.toString());
    }
}
