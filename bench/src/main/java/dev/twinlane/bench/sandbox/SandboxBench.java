package dev.twinlane.bench.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.twinlane.sandbox.BuiltinProfile;
import dev.twinlane.sandbox.CompiledProfile;
import dev.twinlane.sandbox.ProfileCache;
import dev.twinlane.sandbox.ProfileParser;
import dev.twinlane.sandbox.ProfileSource;
import dev.twinlane.sandbox.SandboxHelper;
import dev.twinlane.sandbox.SecurityLevel;

/**
 * Request to exec under a sandbox profile (issue 16's 5 ms target), end to end as `twinlane sandbox
 * run` does it after the JVM is up: the profile's text to the cache's file (a hit: a SHA-256 and a
 * stat), the helper started, namespaces, Landlock, seccomp, exec of CMD, CMD's exit seen. Beside it
 * in the same run: a plain start of the same CMD (the baseline), an uncached compile alone and an
 * uncached request. Every case runs once per round, in an order rotating from round to round, so a
 * busy moment of the machine falls on all of them.
 *   java ... SandboxBench [rounds] [CMD]
 */
public final class SandboxBench {
    private static final int WARMUP = 30;

    private final String cmd;
    private final Path dir;
    private int fresh;

    private SandboxBench(String cmd, Path dir) {
        this.cmd = cmd;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        String cmd = args.length > 1 ? args[1] : "/bin/true";
        Path dir = Files.createTempDirectory("twinlane-bench-sandbox-");
        new SandboxBench(cmd, dir).run(rounds);
    }

    private interface Case {
        void once() throws Exception;
    }

    private void run(int rounds) throws Exception {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("plain exec of " + cmd + " (baseline)", () -> exec(List.of(cmd)));
        cases.put("sandbox minimal, cached", () -> request(new ProfileCache(dir), sources("minimal")));
        cases.put("sandbox network, cached", () -> request(new ProfileCache(dir), sources("network")));
        cases.put("sandbox build --level maximum, cached", () -> request(new ProfileCache(dir),
                List.of(BuiltinProfile.source("build"), SecurityLevel.MAXIMUM.source())));
        cases.put("compile minimal, uncached (no exec)", () -> CompiledProfile.compile(ProfileParser.parse(sources("minimal"))));
        cases.put("sandbox minimal, uncached", () -> request(new ProfileCache(dir.resolve("fresh-" + fresh++)), sources("minimal")));
        Map<String, long[]> ns = new LinkedHashMap<>();
        cases.keySet().forEach(k -> ns.put(k, new long[rounds]));
        List<String> names = new ArrayList<>(cases.keySet());
        for (int r = -WARMUP; r < rounds; r++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(Math.floorMod(i + r, names.size()));
                long t0 = System.nanoTime();
                cases.get(name).once();
                long t = System.nanoTime() - t0;
                if (r >= 0) {
                    ns.get(name)[r] = t;
                }
            }
        }
        print(ns, rounds);
    }

    private static List<ProfileSource> sources(String builtin) {
        return List.of(BuiltinProfile.source(builtin));
    }

    private void request(ProfileCache cache, List<ProfileSource> sources) throws Exception {
        Path compiled = cache.compiled(sources);
        exec(SandboxHelper.installed(dir).command(compiled, List.of(cmd)));
    }

    private static void exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(command + " exited " + exit);
        }
    }

    private static void print(Map<String, long[]> ns, int rounds) {
        double base = median(ns.values().iterator().next());
        System.out.printf("sandbox request to exec, %d rounds after %d warm-up rounds; ms: median p10 p90, and median / baseline median%n",
                rounds, WARMUP);
        for (Map.Entry<String, long[]> e : ns.entrySet()) {
            long[] v = e.getValue().clone();
            Arrays.sort(v);
            System.out.printf("RESULT %-42s median=%7.3f p10=%7.3f p90=%7.3f ratio=%5.2f%n", e.getKey(), ms(median(v)),
                    ms(v[v.length / 10]), ms(v[v.length * 9 / 10]), median(v) / base);
        }
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double ms(double ns) {
        return ns / 1e6;
    }
}
