package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.twinlane.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `twinlane sandbox`: exit codes, one-line errors, the cache. */
class SandboxCommandTest {
    @TempDir
    Path dir;
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Cli.commandLine(new SandboxCommand());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aBadProfileFileIsOneLineAndExitCode2() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.profile"), "include minimal\nwrite /srv ../x\n");
        assertEquals(Cli.USAGE, run("compile", "--cache", dir.toString(), "--profile", file.toString()));
        assertEquals("sandbox compile: " + file + ":2:12: a path here is absolute and without '..', not '../x' (see ./sandbox compile --help)\n",
                err.toString());
        assertEquals(false, Files.exists(dir.resolve("profiles")), "nothing compiled");
    }

    @Test
    void anUnknownProfileOrNamespaceIsAUsageError() {
        assertEquals(Cli.USAGE, run("run", "--cache", dir.toString(), "--profile", "tiny", "--", "/bin/true"));
        assertEquals(Cli.USAGE, run("run", "--cache", dir.toString(), "--profile", "minimal", "--ns", "ipc", "--", "/bin/true"));
        String[] lines = err.toString().split("\n");
        assertEquals(2, lines.length, err.toString());
        assertTrue(lines[0].contains("--profile wants minimal, build, network or a profile file, not 'tiny'"), lines[0]);
        assertEquals("sandbox run: --ns wants user, mount, net or pid, not 'ipc' (see ./sandbox run --help)", lines[1]);
    }

    @Test
    void runExitsWithTheWorkloadsCodeAndCompilesOnce() throws Exception {
        assertEquals(0, run("run", "--cache", dir.toString(), "--profile", "minimal", "--", "/bin/true"));
        assertEquals(1, run("run", "--cache", dir.toString(), "--profile", "minimal", "--", "/bin/false"));
        assertEquals(127, run("run", "--cache", dir.toString(), "--profile", "minimal", "--", "/no/such/program"));
        try (var files = Files.list(dir.resolve("profiles"))) {
            assertEquals(1, files.count(), "one compiled profile for three runs");
        }
    }

    @Test
    void theHelperRefusesADamagedFile() throws Exception {
        Path compiled = new ProfileCache(dir).compiled(java.util.List.of(BuiltinProfile.source("minimal")));
        byte[] bytes = Files.readAllBytes(compiled);
        bytes[bytes.length / 2] ^= 1;
        Files.write(compiled, bytes);
        Sandboxed.Result r = new Sandboxed(dir).exec(compiled, "/bin/true");
        assertEquals(125, r.exit());
        assertEquals("twinlane-sandbox-exec: read profile: checksum mismatch (a damaged file: compile it again)\n", r.err());
    }
}
