package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** `twinlane COMMAND ...` in a child JVM, as the launcher starts it: for tests of whole runs, signals and exits. */
final class AgentProcess {
    private AgentProcess() {
    }

    /** Starts the child with stderr to {@code err} and its status file at {@code status}. */
    static Process start(Path err, Path status, String... args) throws IOException {
        return new ProcessBuilder(command(status, args)).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The child's command line: as the launcher starts it, its status file at {@code status}. */
    static List<String> command(Path status, String... args) {
        return ChildJvm.command(status, args);
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
