package dev.twinlane.bench.detector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import dev.twinlane.detector.AnchorScreen;
import dev.twinlane.detector.DetectionRules;

/**
 * What each rule costs on clean strings, for whoever writes or narrows rules: over this machine's
 * command lines ({@link DetectorBenchmark#machineLines()}), its file paths
 * ({@link DetectorBenchmark#machinePaths()}) and, with {@code --strings FILE}, a file's lines, how
 * many strings each rule's anchors let through to its pattern, what one run of the pattern costs
 * (this thread's CPU time, median of rounds over the strings it ran on) and so what the rule adds
 * per string of the corpus. The rules are the builtin ones and, with {@code --rules FILE}, a user's.
 * Rules whose pattern never runs on a corpus are left out of its table.
 */
public final class DetectorRuleCost {
    private static final int ROUNDS = 7;
    /** Enough runs that a round is well above the clock's cost and the regex code is compiled. */
    private static final int RUNS_PER_ROUND = 2000;

    public static void main(String[] args) throws Exception {
        DetectionRules rules = DetectionRules.builtin();
        Map<String, List<String>> corpora = new LinkedHashMap<>();
        corpora.put("machine lines", DetectorBenchmark.machineLines());
        corpora.put("paths", DetectorBenchmark.machinePaths());
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !args[i].equals("--rules") && !args[i].equals("--strings")) {
                System.err.println("DetectorRuleCost: usage: [--rules FILE] [--strings FILE]");
                System.exit(2);
            }
            Path file = Path.of(args[i + 1]);
            if (args[i].equals("--rules")) {
                rules = DetectionRules.withFile(file);
            } else {
                corpora.put(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        for (Map.Entry<String, List<String>> c : corpora.entrySet()) {
            report(rules, c.getKey(), c.getValue());
        }
    }

    private static void report(DetectionRules rules, String name, List<String> corpus) {
        List<List<String>> reached = reached(rules, corpus);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double[] perRun = new double[rules.size()];
        Integer[] order = new Integer[rules.size()];
        double total = 0;
        long runs = 0;
        for (int r = 0; r < rules.size(); r++) {
            runs += reached.get(r).size();
            order[r] = r;
            perRun[r] = reached.get(r).isEmpty() ? 0 : perRun(rules.rules().get(r).pattern().matcher(""), reached.get(r), cpu);
            total += perRun[r] * reached.get(r).size() / corpus.size();
        }
        Arrays.sort(order, (a, b) -> Double.compare(perRun[b] * reached.get(b).size(), perRun[a] * reached.get(a).size()));
        System.out.printf("%n%s: %d strings, %.3f pattern runs per string; the patterns add %.0f ns CPU per string (this"
                + " machine, shared: ns figures move with its load, runs do not)%n", name, corpus.size(),
                runs / (double) corpus.size(), total);
        System.out.printf("%6s %-28s %8s %10s %12s  %s%n", "rule", "name", "runs", "ns/run", "ns/string", "first string run on");
        for (int r : order) {
            List<String> texts = reached.get(r);
            if (!texts.isEmpty()) {
                DetectionRules.Rule rule = rules.rules().get(r);
                System.out.printf("%6d %-28s %8d %10.0f %12.1f  %s%n", rule.id(), rule.name(), texts.size(), perRun[r],
                        perRun[r] * texts.size() / corpus.size(), abbreviated(texts.get(0)));
            }
        }
    }

    /** For each rule, the normal forms of the corpus strings its anchors let through. */
    private static List<List<String>> reached(DetectionRules rules, List<String> corpus) {
        AnchorScreen screen = new AnchorScreen(rules);
        List<List<String>> reached = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            reached.add(new ArrayList<>());
        }
        int[] passing = new int[rules.size()];
        for (String s : corpus) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            int n = screen.passing(b, 0, b.length, passing);
            for (int i = 0; i < n; i++) {
                reached.get(passing[i]).add(screen.normalForm().toString());
            }
        }
        return reached;
    }

    /** CPU ns per run, median of rounds of at least {@link #RUNS_PER_ROUND} runs, after as many unmeasured. */
    private static double perRun(Matcher m, List<String> texts, ThreadMXBean cpu) {
        int passes = Math.max(1, RUNS_PER_ROUND / texts.size());
        double[] rounds = new double[ROUNDS];
        long sink = 0;
        for (int round = -1; round < ROUNDS; round++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int p = 0; p < passes; p++) {
                for (String t : texts) {
                    sink += m.reset(t).find() ? 1 : 0;
                }
            }
            if (round >= 0) {
                rounds[round] = (cpu.getCurrentThreadCpuTime() - t0) / (double) (passes * texts.size());
            }
        }
        Arrays.sort(rounds);
        return rounds[ROUNDS / 2] + (sink & 0);
    }

    private static String abbreviated(String s) {
        String line = s.replace('\n', ' ');
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
