package dev.twinlane.agent;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `twinlane top`: the running agent's figures, refreshed every second from its status file (which
 * run rewrites every second): a full screen on a terminal, one logfmt line per second otherwise.
 */
@Command(name = "top", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"A live view of the running agent, refreshed every second from its status file: records and"
                + " records/s per lane, drops, durable seq and fsync latency per log, each hook's state, export lag"
                + " when exporting, problems. On a terminal one screen (q or Ctrl-C quits and restores the terminal);"
                + " otherwise, or with --batch, one line of key=value pairs per second."},
        footer = "Exit status: 0 after q or --iterations; 1 when no agent runs or it stops; 130 after Ctrl-C.")
final class TopCommand implements Callable<Integer> {
    @Option(names = {"-b", "--batch"}, description = "plain lines even on a terminal (as top -b)")
    boolean batch;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N",
            description = "stop after N refreshes (as top -n); 0, the default, runs until q, Ctrl-C or the agent's stop")
    int iterations;

    @Override
    public Integer call() throws Exception {
        if (iterations < 0) {
            System.err.println("twinlane top: --iterations wants 0 or more, not " + iterations);
            return Cli.USAGE;
        }
        if (StatusFile.readLive().isEmpty()) {
            System.err.println("twinlane top: no agent running (no live status file " + StatusFile.PATH + ")");
            return Cli.FAILURE;
        }
        PrintStream out = System.out;
        if (batch || !AnsiTerminal.stdoutIsTerminal()) {
            return loop(out, null);
        }
        try (AnsiTerminal terminal = AnsiTerminal.open(out)) {
            return loop(out, terminal);
        }
    }

    /** One refresh a second; rates come from the two newest readings with distinct times. */
    private int loop(PrintStream out, AnsiTerminal terminal) throws Exception {
        StatusSnapshot older = null;
        StatusSnapshot newest = null;
        long next = System.nanoTime();
        for (int i = 0; iterations == 0 || i < iterations; i++) {
            Optional<String> live = StatusFile.readLive();
            if (live.isEmpty()) {
                // after the alternate screen is left, so that the line stays visible
                if (terminal != null) {
                    terminal.close();
                }
                System.err.println("twinlane top: the agent stopped");
                return Cli.FAILURE;
            }
            StatusSnapshot s = StatusSnapshot.parse(live.get());
            if (newest == null || !s.at().equals(newest.at())) {
                older = newest;
                newest = s;
            }
            TopView view = new TopView(older, newest);
            if (terminal != null) {
                terminal.draw(view.screen());
            } else {
                out.println(view.line());
                out.flush();
            }
            if (i + 1 == iterations) {
                break;
            }
            next += TimeUnit.SECONDS.toNanos(1);
            if (terminal != null ? terminal.awaitQuit(next) : sleepUntil(next)) {
                return 0;
            }
        }
        return 0;
    }

    private static boolean sleepUntil(long deadlineNanos) throws InterruptedException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (ms > 0) {
            Thread.sleep(ms);
        }
        return false;
    }
}
