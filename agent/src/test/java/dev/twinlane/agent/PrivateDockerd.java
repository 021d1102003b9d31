package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's dockerd of a test's own: data root, exec root and socket under one directory, no default
 * bridge and no iptables rules (builds use the host's network, published ports the userland proxy),
 * so that nothing of it outlives {@link #close}: the daemon is stopped by its pid, then the
 * directory's leftover mounts are detached and the directory removed.
 */
final class PrivateDockerd implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private PrivateDockerd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static PrivateDockerd start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("dockerd", "--data-root", dir.resolve("data").toString(), "--exec-root",
                dir.resolve("exec").toString(), "-H", "unix://" + dir.resolve("docker.sock"), "--pidfile",
                dir.resolve("docker.pid").toString(), "--bridge=none", "--iptables=false", "--ip6tables=false")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        PrivateDockerd d = new PrivateDockerd(dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (d.run(List.of("/usr/bin/docker", "version"), Map.of()).exit != 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.close();
                fail("dockerd did not serve within 60 s: " + Files.readString(dir.resolve("dockerd.log")));
            }
            Thread.sleep(200);
        }
        return d;
    }

    /** What a command printed (stdout and stderr) and its exit status. */
    record Result(int exit, String output) {
    }

    /** Runs a client command against this daemon (DOCKER_HOST set), in {@code cwd} when not null. */
    Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return run(command, env, null);
    }

    Result run(List<String> command, Map<String, String> env, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", host());
        pb.environment().putAll(env);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** Like {@link #run} but fails the test on a non-zero exit, with the command's last lines. */
    String ok(List<String> command, Map<String, String> env, Path cwd) throws IOException, InterruptedException {
        Result r = run(command, env, cwd);
        if (r.exit != 0) {
            List<String> lines = r.output.lines().toList();
            fail(String.join(" ", command) + " exited " + r.exit + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        return r.output;
    }

    String host() {
        return "unix://" + dir.resolve("docker.sock");
    }

    /** The daemon's processes (it, its containerd, shims) still alive: those whose command line names the directory. */
    List<Long> leftovers() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(dir.toString())) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        for (String mount : mountsBelow()) {
            new ProcessBuilder("umount", "-l", mount).inheritIO().start().waitFor();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        assertEquals(List.of(), leftovers(), "processes of the private dockerd after its stop");
    }

    private List<String> mountsBelow() throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.startsWith(dir.toString())) {
                mounts.add(point);
            }
        }
        mounts.sort(Comparator.reverseOrder());
        return mounts;
    }
}
