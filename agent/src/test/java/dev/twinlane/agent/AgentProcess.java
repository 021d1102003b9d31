package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.twinlane.sandbox.SandboxHelper;

/**
 * `twinlane COMMAND ...` in a child JVM, as the launcher starts it: for tests of whole runs, signals
 * and exits. `run` goes the launcher's two steps: `run --landlock-plan FILE`, then the agent's JVM
 * through the sandbox helper with the plan's write grants and JVM options (see ./twinlane), so the
 * tests of whole runs run the agent confined as in production.
 */
final class AgentProcess {
    private static final Map<String, List<String>> PLANS = new ConcurrentHashMap<>();

    private AgentProcess() {
    }

    /** Starts the child with stderr to {@code err} (the plan step's first) and its status file at {@code status}. */
    static Process start(Path err, Path status, String... args) throws IOException {
        return start(err, status, List.of(), args);
    }

    /** The same with more JVM options (test hooks). */
    static Process start(Path err, Path status, List<String> jvmOptions, String... args) throws IOException {
        return new ProcessBuilder(launched(err, status, jvmOptions, args)).redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The child's command line: as the launcher starts it, its status file at {@code status}, without the plan step. */
    static List<String> command(Path status, String... args) {
        return ChildJvm.command(status, args);
    }

    /** The launcher's way: for run, the plan (its stderr to {@code err}), then the helper around the JVM. */
    private static List<String> launched(Path err, Path status, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(command(status, args));
        cmd.addAll(1, jvmOptions);
        if (args.length == 0 || !args[0].equals("run")) {
            return cmd;
        }
        // the same options make the same plan (KillSoakTest restarts the agent many times)
        List<String> plan = PLANS.get(status + " " + List.of(args));
        if (plan == null) {
            plan = plan(err, status, args);
            PLANS.put(status + " " + List.of(args), plan);
        }
        List<String> dirs = new ArrayList<>();
        for (String line : plan.subList(Math.min(1, plan.size()), plan.size())) {
            if (line.startsWith("jvm ")) {
                cmd.add(1, line.substring(4));
            } else if (line.startsWith("write ")) {
                dirs.add(line.substring(6));
            }
        }
        if (dirs.isEmpty()) {
            return cmd;   // --no-self-harden, a bad option (the agent says it again), or none possible (the agent says why)
        }
        List<String> helper = new ArrayList<>(List.of(SandboxHelper.installed(Path.of("target", "helper").toAbsolutePath())
                .file().toString(), "--confine-writes"));
        helper.addAll(dirs);
        helper.add("--");
        cmd.addAll(0, helper);
        return cmd;
    }

    /** `run --landlock-plan FILE ARGS...` in a JVM of its own; its lines. */
    static List<String> plan(Path err, Path status, String... args) throws IOException {
        Path file = Files.createTempFile(err.toAbsolutePath().getParent(), "plan", ".txt");
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.addAll(1, List.of("--landlock-plan", file.toString()));
        Process p = new ProcessBuilder(command(status, cmd.toArray(String[]::new))).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the plan step did not end within 90 s");
            }
            return Files.readAllLines(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Waits for a line starting with {@code prefix} on the child's stderr; returns nanoTime when seen. */
    static long awaitLine(Process p, Path err, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(err) ? Files.readString(err) : "";
            if (s.lines().anyMatch(l -> l.startsWith(prefix))) {
                return System.nanoTime();
            }
            if (!p.isAlive()) {
                fail("the agent ended before '" + prefix + "':\n" + s);
            }
            Thread.sleep(50);
        }
        fail("no '" + prefix + "' within 90 s:\n" + Files.readString(err));
        return 0;
    }
}
