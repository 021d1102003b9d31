package dev.twinlane.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `twinlane demo`: the whole topology on this host for a minute, then a summary. The broker, the
 * agent, the SIEM consumer and Prometheus run as processes of their own, as they would in a
 * deployment, so each is the command a user would run, its own log, its own stop (the agent's
 * SIGTERM drains and seals its logs) and a pid to stop it by (see {@link DemoStack}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Runs the whole topology on this host: a Kafka broker, the agent exporting to it (with metrics,"
                + " a watched scratch directory and a deny rule on a loopback port), the SIEM consumer and Prometheus;"
                + " drives a workload (execs, file opens, an allowed and a denied connect, an exec with a planted"
                + " shell-injection argv), stops everything and prints a summary: records per lane and kind, the"
                + " denial, the chain verified, the SIEM's OCSF events, Prometheus's answers.",
                "Ctrl-C stops everything it started, by process id. Needs root (the agent loads BPF programs) and"
                + " Debian's prometheus (the launcher installs it)."},
        footer = "Exit status: 0 when everything was shown; 1 when something was not (the summary says what); 2 usage.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--keep", paramLabel = "DIR",
            description = "work in DIR (new or empty) and keep it: logs, keys, OCSF output, Prometheus and broker data"
                    + " (default: a temporary directory, removed at the end)")
    Path keep;

    @Override
    public Integer call() throws Exception {
        Path dir = workDir();
        if (!onPath("prometheus")) {
            throw new IllegalStateException("prometheus is not installed: the launcher (./twinlane demo) installs"
                    + " Debian's, or: scripts/ensure-deps prometheus");
        }
        PrintStream out = System.out;
        DemoStack stack = new DemoStack(dir, keep == null, out);
        Thread hook = new Thread(() -> {
            out.println("twinlane demo: stopping what it started");
            stack.close();
        }, "twinlane-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        DemoRun.Summary summary;
        try {
            summary = new DemoRun(stack, out).run();
            out.println("stopping:");
        } finally {
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook stops everything
            }
        }
        out.println(keep == null ? "removed " + dir : "kept " + dir);
        summary.lines().forEach(out::println);
        return summary.ok() ? 0 : 1;
    }

    /** --keep DIR (new or empty), else a new private temporary directory. */
    private Path workDir() throws IOException, UsageException {
        if (keep == null) {
            return Files.createTempDirectory("twinlane-demo-");
        }
        if (Files.exists(keep)) {
            try (Stream<Path> in = Files.list(keep)) {
                if (in.findAny().isPresent()) {
                    throw new UsageException("--keep wants a new or empty directory; " + keep + " holds files");
                }
            } catch (java.nio.file.NotDirectoryException e) {
                throw new UsageException("--keep wants a directory; " + keep + " is a file");
            }
        }
        Files.createDirectories(keep);
        Files.setPosixFilePermissions(keep, PosixFilePermissions.fromString("rwx------"));
        return keep.toAbsolutePath();
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
