package dev.twinlane.bench.detector;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.twinlane.detector.Detector;

/**
 * Two detectors in one JVM, their rounds interleaved, so that the load of a shared host weighs on
 * both alike: DIR_A and DIR_B each hold a detector's classes and/or its {@code rules.txt} (as
 * {@code dev/twinlane/detector/...}, e.g. compiled from another commit), read before this build's
 * classes. Prints each one's CPU ns per string (median of the last rounds) and B/A, over the
 * benchmark's machine lines or paths ({@link DetectorBenchmark}).
 *
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" dev.twinlane.bench.detector.DetectorVersus DIR_A DIR_B lines|paths</pre>
 */
public final class DetectorVersus {
    /** {@code -Drounds=N} for more rounds on a loaded host (the warm-up stays 6). */
    private static final int ROUNDS = Integer.getInteger("rounds", 16);
    private static final int WARM_UP = 6;

    public static void main(String[] args) throws Throwable {
        if (args.length != 3 || !List.of("lines", "paths").contains(args[2])) {
            System.err.println("DetectorVersus: usage: DIR_A DIR_B lines|paths");
            System.exit(2);
        }
        List<String> corpus = args[2].equals("lines") ? DetectorBenchmark.machineLines() : DetectorBenchmark.machinePaths();
        SplittableRandom random = new SplittableRandom(14);
        byte[][] strings = new byte[DetectorBenchmark.STRINGS][];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = corpus.get(random.nextInt(corpus.size())).getBytes(StandardCharsets.UTF_8);
        }
        Scanner[] scanners = {new Scanner(Path.of(args[0])), new Scanner(Path.of(args[1]))};
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double[][] ns = new double[2][ROUNDS];
        long sink = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < 2; i++) {
                int e = (round & 1) == 0 ? i : 1 - i; // A first in even rounds, B first in odd ones
                long t0 = cpu.getCurrentThreadCpuTime();
                sink += scanners[e].scanAll(strings);
                ns[e][round] = (cpu.getCurrentThreadCpuTime() - t0) / (5.0 * strings.length);
            }
        }
        double a = median(ns[0]);
        double b = median(ns[1]);
        // each round's own B/A: a burst of load on the host weighs on both halves of a round alike
        double[] ratio = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            ratio[round] = ns[1][round] / ns[0][round];
        }
        System.out.printf("%s, CPU ns/string, median of %d rounds: A %.0f, B %.0f, B/A %.2f; median of the rounds' B/A %.3f [%d]%n",
                args[2], ROUNDS - WARM_UP, a, b, b / a, median(ratio), sink & 1);
    }

    private static double median(double[] rounds) {
        double[] m = Arrays.copyOfRange(rounds, WARM_UP, rounds.length);
        Arrays.sort(m);
        return (m[m.length / 2 - 1] + m[m.length / 2]) / 2;
    }

    /** A detector loaded from a directory ahead of this build's detector classes. */
    private static final class Scanner {
        private final Object detector;
        private final Object finding;
        private final MethodHandle scan;

        Scanner(Path dir) throws Exception {
            URL thisBuild = Detector.class.getProtectionDomain().getCodeSource().getLocation();
            ClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL(), thisBuild},
                    ClassLoader.getPlatformClassLoader());
            Class<?> rules = loader.loadClass("dev.twinlane.detector.DetectionRules");
            Class<?> detectorClass = loader.loadClass("dev.twinlane.detector.Detector");
            Class<?> findingClass = loader.loadClass("dev.twinlane.detector.Finding");
            detector = detectorClass.getConstructor(rules).newInstance(rules.getMethod("builtin").invoke(null));
            finding = findingClass.getConstructor().newInstance();
            scan = MethodHandles.publicLookup()
                    .unreflect(detectorClass.getMethod("scan", byte[].class, int.class, int.class, findingClass))
                    .asType(MethodType.methodType(boolean.class, Object.class, byte[].class, int.class, int.class,
                            Object.class));
        }

        int scanAll(byte[][] strings) throws Throwable {
            int found = 0;
            for (int pass = 0; pass < 5; pass++) {
                for (byte[] s : strings) {
                    found += (boolean) scan.invokeExact(detector, s, 0, s.length, finding) ? 1 : 0;
                }
            }
            return found;
        }
    }
}
