package dev.twinlane.ingest.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs a Java program of this build inside a kernel-lab guest (scripts/kernel-lab)
 * from a JUnit test: snapshots the test classpath (the guest reads the host's
 * files live over 9p, and a concurrent build must not change classes under
 * it), streams the guest console into the test output, and skips the test,
 * with kernel-lab's reason, only when kernel-lab exits 77 (qemu or the kernel
 * packages cannot be had). Shared by the ingest and agent lab tests.
 */
public final class KernelLab implements AutoCloseable {
    public static final int GUEST_TIMEOUT_S = 300;
    private final Path repo;
    private final Path snapshot;
    private final String classpath;
    private final List<String> jvmArgs;

    /** The console of one guest run and kernel-lab's exit status. */
    public record Run(List<String> lines, int status) {
        public String last(Predicate<String> match) {
            String found = null;
            for (String l : lines) {
                if (match.test(l)) {
                    found = l;
                }
            }
            return found;
        }
    }

    private KernelLab(Path repo, Path snapshot, String classpath, List<String> jvmArgs) {
        this.repo = repo;
        this.snapshot = snapshot;
        this.classpath = classpath;
        this.jvmArgs = jvmArgs;
    }

    public static KernelLab prepare() throws IOException {
        Path repo = findRepo();
        // It lives under target/kernel-lab: the guest mounts its own /tmp.
        Path snapshot = repo.resolve("target/kernel-lab/java-cp-" + ProcessHandle.current().pid());
        deleteTree(snapshot);
        Files.createDirectories(snapshot);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : testClasspath()) {
            Path p = Path.of(e).toAbsolutePath();
            if (!Files.exists(p)) {
                continue;
            }
            Path copy = snapshot.resolve(String.format(Locale.ROOT, "%02d-%s", i++, p.getFileName()));
            copyTree(p, copy);
            entries.add(copy.toString());
        }
        System.out.println("[lab] guest classpath: " + entries.size() + " entries copied to " + snapshot);
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle."))
                .collect(Collectors.toCollection(ArrayList::new));
        if (jvmArgs.stream().noneMatch(a -> a.contains("sun.misc"))) {
            jvmArgs.add("--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED");
        }
        // TCG emulates every instruction: C1 only and one GC thread start the JVM faster.
        jvmArgs.add("-XX:TieredStopAtLevel=1");
        jvmArgs.add("-XX:+UseSerialGC");
        return new KernelLab(repo, snapshot, String.join(File.pathSeparator, entries), jvmArgs);
    }

    /** The command line that starts {@code mainClass} of this build in the guest. */
    public List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The same as one shell word list, for `sh -c` scripts in the guest. */
    public String javaShell(String mainClass) {
        return java(mainClass).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    /**
     * Boots {@code series} (6.1 or 6.12), runs {@code command} in it and returns the console.
     * Aborts the test when kernel-lab exits 77; fails it when the guest timed out, or did not
     * boot twice in a row. One boot failure before the command started is retried: under TCG a
     * guest has died in its first two seconds on a CI runner (once in many runs, not seen here in
     * 40 boots), which says nothing of the code under test; the first failure's reason and console
     * tail are printed either way.
     */
    public Run run(String series, boolean lsmOff, List<String> command) throws Exception {
        String label = series + (lsmOff ? " lsm=off" : " lsm=on");
        Run run = attempt(series, lsmOff, command, label);
        if (bootFailed(run)) {
            System.out.println("[lab " + label + "] the guest did not boot, booting it once more. " + diagnosis(run));
            run = attempt(series, lsmOff, command, label);
        }
        String result = run.last(l -> l.startsWith("kernel-lab: RESULT "));
        assertTrue(result != null && !bootFailed(run) && !result.contains("status=timeout"),
                "kernel-lab " + label + " did not run the command (exit " + run.status() + "): " + diagnosis(run));
        return run;
    }

    private static boolean bootFailed(Run run) {
        String result = run.last(l -> l.startsWith("kernel-lab: RESULT "));
        return result != null && result.contains("status=boot-failure");
    }

    /** kernel-lab's last lines of its own and the guest console's last lines before them. */
    private static String diagnosis(Run run) {
        List<String> own = run.lines().stream().filter(l -> l.startsWith("kernel-lab: ")).collect(Collectors.toList());
        List<String> console = run.lines().stream().filter(l -> !l.startsWith("kernel-lab: ") && !l.isBlank())
                .collect(Collectors.toList());
        return String.join(" | ", own.subList(Math.max(0, own.size() - 3), own.size()))
                + "\n  console tail:\n    " + String.join("\n    ", console.subList(Math.max(0, console.size() - 20), console.size()));
    }

    private Run attempt(String series, boolean lsmOff, List<String> command, String label) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("scripts/kernel-lab").toString(), "--kernel", series));
        if (lsmOff) {
            cmd.add("--lsm-off");
        }
        cmd.addAll(List.of("--timeout", String.valueOf(GUEST_TIMEOUT_S), "--"));
        cmd.addAll(command);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        List<String> lines = new ArrayList<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    System.out.println("[lab " + label + "] " + line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "kernel-lab " + label);
        pump.start();
        // kernel-lab kills the guest after GUEST_TIMEOUT_S; the margin covers preparation on a bare cache.
        if (!p.waitFor(GUEST_TIMEOUT_S + 240, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("kernel-lab " + label + " did not return within " + (GUEST_TIMEOUT_S + 240) + " s");
        }
        pump.join(10_000);
        int status = p.exitValue();
        List<String> out;
        synchronized (lines) {
            out = List.copyOf(lines);
        }
        System.out.printf(Locale.ROOT, "[lab %s] kernel-lab exited %d after %.1f s%n", label, status,
                (System.nanoTime() - t0) / 1e9);
        if (status == 77) {
            String why = new Run(out, status).last(l -> l.startsWith("kernel-lab: SKIP"));
            Assumptions.abort("kernel lab " + label + " skipped: " + (why != null ? why : "kernel-lab exited 77"));
        }
        return new Run(out, status);
    }

    @Override
    public void close() throws IOException {
        deleteTree(snapshot);
    }

    /** The test classpath: surefire puts the real one in java.class.path (its booter jar sits in /tmp). */
    private static List<String> testClasspath() {
        String cp = System.getProperty("java.class.path", "");
        List<String> entries = List.of(cp.split(File.pathSeparator));
        boolean booterOnly = entries.size() <= 2 && entries.stream().anyMatch(e -> e.contains("surefire"));
        String real = System.getProperty("surefire.test.class.path");
        if (booterOnly && real != null) {
            entries = List.of(real.split(File.pathSeparator));
        }
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("test-classes") || e.endsWith("test-classes/")),
                "cannot find this module's test classes on the classpath: " + cp);
        return entries;
    }

    private static Path findRepo() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("scripts/kernel-lab"))) {
                return d;
            }
        }
        throw new IllegalStateException("no scripts/kernel-lab above " + dir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
