package dev.twinlane.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/** Runs a command under a profile through the real helper, as `twinlane sandbox run` does, and keeps its output. */
final class Sandboxed {
    static final String PROBE = System.getProperty("twinlane.sandbox.probe");

    private final Path cache;

    Sandboxed(Path cache) {
        this.cache = cache;
        requireLandlock();
    }

    /** Every profile here confines the filesystem: a kernel without Landlock cannot run them (the helper refuses, exit 125). */
    static void requireLandlock() {
        Path lsm = Path.of("/sys/kernel/security/lsm");
        try {
            Assumptions.assumeTrue(!Files.exists(lsm) || Files.readString(lsm).contains("landlock"),
                    "skipped: Landlock is not among this kernel's active LSMs (" + lsm + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(int exit, String out, String err) {
        /** The probe's one word: "ok" or the errno's name. */
        String word() {
            return out.strip();
        }
    }

    /** Runs cmd under the sources plus {@link #probeAccess()}. */
    Result run(List<ProfileSource> sources, String... cmd) throws Exception {
        List<ProfileSource> all = new ArrayList<>(sources);
        all.add(probeAccess());
        Path compiled = new ProfileCache(cache).compiled(all);
        return exec(compiled, cmd);
    }

    Result builtin(String profile, String... cmd) throws Exception {
        return run(List.of(BuiltinProfile.source(profile)), cmd);
    }

    Result probe(List<ProfileSource> sources, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PROBE));
        cmd.addAll(List.of(args));
        return run(sources, cmd.toArray(String[]::new));
    }

    Result exec(Path compiled, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(SandboxHelper.installed(cache).command(compiled, List.of(cmd))).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out, err);
    }

    /** The probe lives in the build tree, which no profile lets a workload read or execute. */
    static ProfileSource probeAccess() {
        String dir = Path.of(PROBE).getParent().toString();
        return text("probe", "read " + dir, "execute " + dir);
    }

    static ProfileSource text(String name, String... lines) {
        return new ProfileSource(name, String.join("\n", lines) + "\n");
    }
}
