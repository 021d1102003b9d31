package dev.twinlane.bench.wal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the WAL benchmarks in one go and prints the figures the issue asks for, computed from
 * JMH's results (nothing typed by hand): per size and way, p50/p99/p99.9 and mean latency and
 * throughput; the ratios chained / (MAC alone + raw append); sustained records/s with the
 * 100 ms group commit; bytes allocated per append (-prof gc). Extra arguments are JMH options
 * (e.g. -wi 1 -i 2) and apply to every run.
 */
public final class WalBenchReport {
    private WalBenchReport() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> append = new Runner(new OptionsBuilder().parent(cli)
                .include(WalAppendBenchmark.class.getName() + "\\.").build()).run();
        Collection<RunResult> sustained = new Runner(new OptionsBuilder().parent(cli)
                .include(WalSustainedBenchmark.class.getName() + "\\.").build()).run();
        Options gc = new OptionsBuilder().parent(cli)
                .include(WalAppendBenchmark.class.getName() + "\\.(chained|rawChronicle|macOwn|macJdk)$")
                .param("size", "256").mode(Mode.AverageTime).addProfiler(GCProfiler.class).build();
        Collection<RunResult> alloc = new Runner(gc).run();
        print(append, sustained, alloc);
    }

    private static void print(Collection<RunResult> append, Collection<RunResult> sustained, Collection<RunResult> alloc) {
        Map<String, Map<String, double[]>> bySize = new TreeMap<>((a, b) -> Integer.parseInt(a) - Integer.parseInt(b));
        for (RunResult r : append) {
            BenchmarkParams p = r.getParams();
            String way = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
            double[] f = bySize.computeIfAbsent(p.getParam("size"), k -> new TreeMap<>())
                    .computeIfAbsent(way, k -> new double[5]);
            Result<?> pr = r.getPrimaryResult();
            if (p.getMode() == Mode.SampleTime) {
                f[0] = pr.getStatistics().getPercentile(50);
                f[1] = pr.getStatistics().getPercentile(99);
                f[2] = pr.getStatistics().getPercentile(99.9);
                f[3] = pr.getScore();
            } else if (p.getMode() == Mode.Throughput) {
                f[4] = pr.getScore(); // ops/us = millions of records/s
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add("WAL benchmark summary (computed from JMH results; latency in us per record)");
        lines.add(String.format(Locale.ROOT, "%6s %-16s %9s %9s %9s %9s %12s", "size", "way", "p50", "p99", "p99.9",
                "mean", "Mrecords/s"));
        for (Map.Entry<String, Map<String, double[]>> s : bySize.entrySet()) {
            for (Map.Entry<String, double[]> w : s.getValue().entrySet()) {
                double[] f = w.getValue();
                lines.add(String.format(Locale.ROOT, "%6s %-16s %9.3f %9.3f %9.3f %9.3f %12.3f", s.getKey(), w.getKey(),
                        f[0], f[1], f[2], f[3], f[4]));
            }
        }
        for (Map.Entry<String, Map<String, double[]>> s : bySize.entrySet()) {
            Map<String, double[]> w = s.getValue();
            double[] c = w.get("chained");
            double[] raw = w.get("rawChronicle");
            for (String mac : new String[]{"macJdk", "macOwn"}) {
                double[] m = w.get(mac);
                if (c == null || raw == null || m == null) {
                    continue;
                }
                lines.add(String.format(Locale.ROOT,
                        "size %s: chained / (%s + rawChronicle) = %.3f by p50, %.3f by mean", s.getKey(), mac,
                        c[0] / (m[0] + raw[0]), c[3] / (m[3] + raw[3])));
            }
        }
        for (RunResult r : sustained) {
            String b = r.getParams().getBenchmark();
            boolean chained = b.endsWith(".sustained");
            lines.add(String.format(Locale.ROOT, "%s, %s B: %.0f records/s", chained
                    ? "sustained chained appends, 100 ms group commit" : "sustained raw Chronicle appends, no MAC, no sync",
                    r.getParams().getParam("size"), r.getPrimaryResult().getScore()));
        }
        for (RunResult r : alloc) {
            String b = r.getParams().getBenchmark();
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("alloc.rate.norm")) {
                    lines.add(String.format(Locale.ROOT, "allocation, %s at 256 B: %.3f bytes/op",
                            b.substring(b.lastIndexOf('.') + 1), e.getValue().getScore()));
                }
            }
        }
        System.out.println();
        lines.forEach(System.out::println);
    }
}
