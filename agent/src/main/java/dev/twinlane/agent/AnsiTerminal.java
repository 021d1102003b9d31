package dev.twinlane.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A full-screen view on the controlling terminal with ANSI escapes and stty(1) (coreutils), no
 * curses library: the alternate screen, no cursor, keys read one at a time without echo. Ctrl-C
 * still raises SIGINT (isig stays on); a shutdown hook then restores the terminal as {@link #close} does.
 */
final class AnsiTerminal implements AutoCloseable {
    private static final String ESC = "\u001b[";
    private final PrintStream out;
    private final String saved;
    private final Thread restoreOnExit = new Thread(this::restore, "terminal-restore");
    private boolean restored;

    private AnsiTerminal(PrintStream out, String saved) {
        this.out = out;
        this.saved = saved;
    }

    /** Whether stdout is a terminal (Linux: /proc/self/fd/1 names a tty device). */
    static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Switches to the alternate screen; keys are read only when stdin is the terminal too. */
    static AnsiTerminal open(PrintStream out) throws IOException, InterruptedException {
        String saved = isTerminal(0) ? stty("-g").trim() : null;
        if (saved != null) {
            stty("-icanon", "-echo", "min", "1");
        }
        AnsiTerminal t = new AnsiTerminal(out, saved);
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        out.print(ESC + "?1049h" + ESC + "?25l");
        out.flush();
        return t;
    }

    /** Redraws the whole screen, each line cleared to its end, whatever is below cleared. */
    void draw(List<String> lines) {
        StringBuilder b = new StringBuilder(ESC + "H");
        for (String l : lines) {
            b.append(l).append(ESC).append("K\r\n");
        }
        b.append(ESC).append("J");
        out.print(b);
        out.flush();
    }

    /** Waits until {@code deadlineNanos} or a key; true when that key is q (quit). */
    boolean awaitQuit(long deadlineNanos) throws IOException, InterruptedException {
        InputStream in = System.in;
        while (System.nanoTime() < deadlineNanos) {
            if (saved != null && in.available() > 0) {
                int c = in.read();
                if (c == 'q' || c == 'Q') {
                    return true;
                }
            } else {
                Thread.sleep(20);
            }
        }
        return false;
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs restore, which is idempotent
        }
    }

    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        out.print(ESC + "?25h" + ESC + "?1049l");
        out.flush();
        if (saved != null) {
            try {
                stty(saved);
            } catch (IOException | InterruptedException e) {
                System.err.println("twinlane top: could not restore the terminal (stty " + saved + "): " + e.getMessage());
            }
        }
    }

    /** stty on the controlling terminal (its stdin must be the tty). */
    private static String stty(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (p.waitFor() != 0) {
            throw new IOException("stty " + String.join(" ", args) + " failed");
        }
        return result;
    }
}
