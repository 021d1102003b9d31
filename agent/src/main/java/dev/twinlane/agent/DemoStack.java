package dev.twinlane.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The processes `twinlane demo` started, and its working directory: each child is stopped by its
 * process id (SIGTERM, SIGKILL after a bound) in the order of its rank (the agent first, so that it
 * still ships to the broker as it drains), then any descendant left (a child caught mid-start, e.g.
 * the broker's format tool), then the directory is removed unless kept.
 * {@link #close} is safe to call twice and from the shutdown hook (Ctrl-C) while the demo runs.
 */
final class DemoStack implements AutoCloseable {
    /** Stop ranks: lower stops first. */
    static final int AGENT = 0;
    static final int CONSUMER = 1;
    static final int BROKER = 2;
    static final int SCRAPER = 3;

    private record Child(String name, ProcessHandle process, int rank, int stopSeconds) {
    }

    private final Path dir;
    private final boolean removeDir;
    private final PrintStream out;
    private final List<Child> children = new ArrayList<>();
    private boolean closed;

    DemoStack(Path dir, boolean removeDir, PrintStream out) {
        this.dir = dir;
        this.removeDir = removeDir;
        this.out = out;
    }

    Path dir() {
        return dir;
    }

    /** Starts a child (its output redirected by the caller); refused once closing began. */
    synchronized Process start(String name, ProcessBuilder command, int rank, int stopSeconds) throws IOException {
        if (closed) {
            throw new IOException("the demo is stopping");
        }
        Process p = command.start();
        children.add(new Child(name, p.toHandle(), rank, stopSeconds));
        return p;
    }

    /** Notes a child started elsewhere (the broker's JVM) so that it is stopped in its turn. */
    synchronized void adopt(String name, long pid, int rank, int stopSeconds) {
        ProcessHandle.of(pid).ifPresent(h -> children.add(new Child(name, h, rank, stopSeconds)));
    }

    /** Stops one child now (e.g. the agent, to verify its closed log); returns its exit status or -1. */
    int stop(Process p) throws InterruptedException {
        Child c;
        synchronized (this) {
            c = children.stream().filter(x -> x.process().pid() == p.pid()).findFirst().orElseThrow();
        }
        stop(c);
        return p.isAlive() ? -1 : p.exitValue();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        children.stream().sorted(Comparator.comparingInt(Child::rank)).forEach(this::stop);
        ProcessHandle.current().descendants().forEach(h -> stop(new Child("process", h, SCRAPER, 10)));
        if (removeDir) {
            remove(dir);
        }
    }

    private void stop(Child c) {
        ProcessHandle h = c.process();
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            h.onExit().get(c.stopSeconds(), TimeUnit.SECONDS);
            out.println("  stopped " + c.name() + " (pid " + h.pid() + ")");
        } catch (Exception slowOrInterrupted) {
            h.destroyForcibly();
            out.println("  killed " + c.name() + " (pid " + h.pid() + "): still running " + c.stopSeconds()
                    + " s after SIGTERM");
        }
    }

    private static void remove(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("twinlane demo: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
