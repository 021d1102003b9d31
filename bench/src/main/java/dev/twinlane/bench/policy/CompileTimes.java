package dev.twinlane.bench.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.twinlane.ingest.StatxResolver;
import dev.twinlane.policy.Inode;
import dev.twinlane.policy.PathResolver;
import dev.twinlane.policy.PolicyFile;
import dev.twinlane.policy.PolicyParser;
import dev.twinlane.policy.SurvivalList;

/**
 * Where a compile's time goes, cold and warm. Cold: the first compile in a fresh JVM (classes
 * loaded, the code interpreted), which an agent pays at start and, its JIT not having seen a
 * compile, on an operator's first apply; each in a JVM of its own (this class's main). Warm:
 * after {@link #WARMUP} compiles of the same policy in this JVM. Each is parse (with the checks),
 * then compile (the files resolved to inodes, the entries made); warm, compile is also timed with
 * the inodes from a table, so the difference is what resolving the files costs. Files are
 * resolved as the agent resolves them ({@link StatxResolver}).
 *   java -cp ... CompileTimes FILES_DIR RULES     prints "parse_ms compile_ms" of its first compile
 */
final class CompileTimes {
    static final int WARMUP = 30;

    /** Milliseconds of one compile: parse, compile, and (warm) compile with the inodes from a table. */
    record Phases(double parse, double compile, double fromTable) {
        double total() {
            return parse + compile;
        }

        double resolving() {
            return compile - fromTable;
        }
    }

    private CompileTimes() {
    }

    public static void main(String[] args) throws IOException {
        String text = PolicyMix.policy(1, new PolicyMix(Path.of(args[0])).rules(Integer.parseInt(args[1])));
        StatxResolver resolver = new StatxResolver();
        resolver.resolve("/");   // libc bound: an agent did that at its start (ring buffers, epoll), not at its first compile
        long t0 = System.nanoTime();
        PolicyFile p = PolicyParser.parse(text, PolicyMix.SOURCE);
        long t1 = System.nanoTime();
        PolicyMix.compile(p, resolver);
        long t2 = System.nanoTime();
        System.out.println((t1 - t0) / 1e6 + " " + (t2 - t1) / 1e6);
    }

    /** The first compile of {@code rules} rules in each of {@code jvms} fresh JVMs, one after the other. */
    static List<Phases> cold(Path files, int rules, int jvms) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Phases> out = new ArrayList<>();
        for (int i = 0; i < jvms; i++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    CompileTimes.class.getName(), files.toString(), Integer.toString(rules))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String[] ms = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
            try {
                if (p.waitFor() != 0 || ms.length != 2) {
                    throw new IOException("CompileTimes in a fresh JVM failed: " + String.join(" ", ms));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            out.add(new Phases(Double.parseDouble(ms[0]), Double.parseDouble(ms[1]), Double.NaN));
        }
        return out;
    }

    /** {@code runs} compiles of {@code text} after {@link #WARMUP} in this JVM, the three phases alternating. */
    static List<Phases> warm(String text, int runs) {
        PathResolver table = table(PolicyParser.parse(text, PolicyMix.SOURCE));
        List<Phases> out = new ArrayList<>();
        for (int i = 0; i < WARMUP + runs; i++) {
            long t0 = System.nanoTime();
            PolicyFile p = PolicyParser.parse(text, PolicyMix.SOURCE);
            long t1 = System.nanoTime();
            PolicyMix.compile(p, new StatxResolver());
            long t2 = System.nanoTime();
            PolicyMix.compile(p, table);
            long t3 = System.nanoTime();
            if (i >= WARMUP) {
                out.add(new Phases((t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6));
            }
        }
        return out;
    }

    /** The inodes of the policy's files and of the survival entries, resolved once, in a table. */
    private static PathResolver table(PolicyFile p) {
        Map<String, Inode> inodes = new HashMap<>();
        StatxResolver fs = new StatxResolver();
        List<String> paths = new ArrayList<>(SurvivalList.of(SurvivalList.currentBinary(), List.of()).paths());
        p.denyFiles().forEach(r -> paths.add(r.path()));
        for (String path : paths) {
            fs.resolve(path).ifPresent(i -> inodes.put(path, i));
        }
        return path -> Optional.ofNullable(inodes.get(path));
    }
}
