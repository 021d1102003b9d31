package dev.twinlane.bench.detector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Detector;
import dev.twinlane.detector.Finding;

/**
 * {@link DetectorBenchmark}'s strings timed in this thread's CPU time rather than the wall clock:
 * on a shared machine other processes stretch the wall clock far more than a thread's own CPU
 * time. Prints the median over the last rounds of the byte loop, the clean strings, the mix and
 * the file paths ({@link DetectorBenchmark#machinePaths()}), per string, and their ratios to the
 * byte loop.
 */
public final class DetectorCpuTime {
    private static final int ROUNDS = 12;
    private static final int WARM_UP = 4;

    public static void main(String[] args) throws Exception {
        List<String> lines = DetectorBenchmark.machineLines();
        SplittableRandom random = new SplittableRandom(14);
        byte[][] clean = new byte[DetectorBenchmark.STRINGS][];
        byte[][] mix = new byte[DetectorBenchmark.STRINGS][];
        byte[][] paths = new byte[DetectorBenchmark.STRINGS][];
        int hostile = 0;
        for (int i = 0; i < clean.length; i++) {
            clean[i] = lines.get(random.nextInt(lines.size())).getBytes(StandardCharsets.UTF_8);
            mix[i] = i % 50 == 25 ? DetectorBenchmark.HOSTILE[hostile++ % DetectorBenchmark.HOSTILE.length]
                    .getBytes(StandardCharsets.UTF_8) : clean[i];
        }
        List<String> files = DetectorBenchmark.machinePaths();
        for (int i = 0; i < paths.length; i++) {
            paths[i] = files.get(random.nextInt(files.size())).getBytes(StandardCharsets.UTF_8);
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Detector detector = new Detector(DetectionRules.builtin());
        Finding finding = new Finding();
        double[] loop = new double[ROUNDS];
        double[] cleanNs = new double[ROUNDS];
        double[] mixNs = new double[ROUNDS];
        double[] pathNs = new double[ROUNDS];
        long sink = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int r = 0; r < 100; r++) {
                for (byte[] s : mix) {
                    for (byte b : s) {
                        sink += b;
                    }
                }
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            sink += scan(detector, finding, clean);
            long t2 = cpu.getCurrentThreadCpuTime();
            sink += scan(detector, finding, mix);
            long t3 = cpu.getCurrentThreadCpuTime();
            sink += scan(detector, finding, paths);
            long t4 = cpu.getCurrentThreadCpuTime();
            loop[round] = (t1 - t0) / (100.0 * mix.length);
            cleanNs[round] = (t2 - t1) / (10.0 * clean.length);
            mixNs[round] = (t3 - t2) / (10.0 * mix.length);
            pathNs[round] = (t4 - t3) / (10.0 * paths.length);
        }
        double l = median(loop);
        double c = median(cleanNs);
        double m = median(mixNs);
        double p = median(pathNs);
        System.out.printf("CPU ns/string, median of %d rounds: byte loop %.1f, clean %.0f (%.0fx), mix %.0f (%.0fx),"
                + " paths %.0f (%.0fx; %d drawn from %d) [%d]%n", ROUNDS - WARM_UP, l, c, c / l, m, m / l, p, p / l,
                paths.length, files.size(), sink & 1);
    }

    private static int scan(Detector detector, Finding finding, byte[][] strings) {
        int found = 0;
        for (int r = 0; r < 10; r++) {
            for (byte[] s : strings) {
                found += detector.scan(s, 0, s.length, finding) ? 1 : 0;
            }
        }
        return found;
    }

    private static double median(double[] rounds) {
        double[] m = Arrays.copyOfRange(rounds, WARM_UP, rounds.length);
        Arrays.sort(m);
        return (m[m.length / 2 - 1] + m[m.length / 2]) / 2;
    }
}
