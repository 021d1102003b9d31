package dev.twinlane.bench.overhead;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tables of the per-event cost benchmark (issue 12, {@code bench/run-overhead.sh}), computed
 * from the measurements the script collected in one run; nothing here is typed in by hand.
 *
 * <pre>
 * OverheadReport MEASUREMENTS PLOT_DIR
 * </pre>
 * MEASUREMENTS has one {@code key=value} line per fact, its first word saying which:
 * <ul>
 * <li>{@code M round config workload ops ns_per_op slice_ns_per_op [cpu_ns ctxsw window_ns rss_kb]}:
 *   one workload run, with the tracer's cost over its window (agent or floor);
 * <li>{@code W round config workload chained wl_records lat_n lat_p50_us lat_p99_us lat_p999_us lat_max_us}:
 *   what the security log of that run says about the same window ({@link LogCensus});
 * <li>{@code T round config ...}: one tracer run (ring records, kernel drops, verify, gaps; or the
 *   floor's counts; or auditd's lost events);
 * <li>{@code F round config at_start at_end}: someone else's twinlane BPF programs loaded when that
 *   configuration's run started and when it ended (ours stopped); the report warns when any were.
 * </ul>
 * Prints Markdown (tables, record checks, targets as PASS/FAIL lines) to stdout and writes
 * {@code ratios.dat} and {@code delay.dat} for gnuplot into PLOT_DIR.
 */
public final class OverheadReport {
    static final List<String> WORKLOADS = List.of("open", "stat", "exec", "connect");
    static final Map<String, String> WORKLOAD_NAMES = Map.of("open", "open+close", "stat", "stat",
            "exec", "fork+exec /bin/true", "connect", "TCP connect 127.0.0.1");
    /** Workloads whose every operation twinlane records, per configuration (open only with every open recorded). */
    static final List<String> RECORDED_ALWAYS = List.of("exec", "connect");

    private final List<Map<String, String>> m = new ArrayList<>();
    private final List<Map<String, String>> w = new ArrayList<>();
    private final List<Map<String, String>> t = new ArrayList<>();
    private final List<Map<String, String>> foreign = new ArrayList<>();
    private final List<String> configs = new ArrayList<>();
    private final PrintStream out;

    OverheadReport(List<String> lines, PrintStream out) {
        this.out = out;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq > 0) {
                    kv.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                }
            }
            switch (f[0]) {
                case "M" -> {
                    m.add(kv);
                    if (!configs.contains(kv.get("config"))) {
                        configs.add(kv.get("config"));
                    }
                }
                case "W" -> w.add(kv);
                case "T" -> t.add(kv);
                case "F" -> foreign.add(kv);
                default -> { }
            }
        }
        configs.sort((a, b) -> Integer.compare(order(a), order(b)));
    }

    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        OverheadReport r = new OverheadReport(Files.readAllLines(Path.of(args[0])), System.out);
        r.print();
        r.plotData(Path.of(args[1]));
    }

    /** none, default, all, the max_delay variants by delay, auditd, floor. */
    /** "all" (every open recorded, max_delay 1 ms) with one other setting each. */
    private static final Set<String> VARIANTS = Set.of("all-rt0", "all-nice", "all-lt", "all-avoid", "all-bg0", "all-apart");

    static int order(String config) {
        return switch (config) {
            case "none" -> 0;
            case "default" -> 1;
            case "all" -> 2;
            case "all-rt0" -> 3;
            case "all-nice" -> 4;
            case "all-lt" -> 5;
            case "all-avoid" -> 6;
            case "all-bg0" -> 7;
            case "all-apart" -> 8;
            case "auditd" -> 80;
            case "floor" -> 90;
            default -> config.startsWith("all-md") ? 10 + (int) Math.min(60, delayNs(config) / 100_000) : 99;
        };
    }

    /** max_delay of a configuration in ns: all-md0, all-md200us, all-md5ms; "all" runs the default 1 ms. */
    static long delayNs(String config) {
        if (config.equals("all") || VARIANTS.contains(config)) {
            return 1_000_000;
        }
        String d = config.substring("all-md".length());
        if (d.equals("0")) {
            return 0;
        }
        long unit = d.endsWith("us") ? 1_000 : d.endsWith("ms") ? 1_000_000 : d.endsWith("ns") ? 1 : 1_000_000_000L;
        String num = d.replaceAll("[a-z]+$", "");
        return (long) (Double.parseDouble(num) * unit);
    }

    static String describe(String config) {
        return switch (config) {
            case "none" -> "no agent";
            case "default" -> "twinlane, defaults";
            case "all" -> "twinlane, every open (max_delay 1ms)";
            case "all-rt0" -> "twinlane, every open, realtime_priority 0";
            case "all-nice" -> "twinlane, every open, realtime_priority 0, nice -20";
            case "all-lt" -> "twinlane, every open, lane thread (Disruptor hand-off)";
            case "all-avoid" -> "twinlane, every open, reader off the producers' CPU";
            case "all-bg0" -> "twinlane, every open, Merkle and pretouch threads at nice 0";
            case "all-apart" -> "twinlane, every open, agent pinned off the loop's CPU";
            case "auditd" -> "auditd";
            case "floor" -> "C floor (libbpf reader)";
            default -> "twinlane, every open, max_delay " + config.substring("all-md".length());
        };
    }

    static boolean twinlane(String config) {
        return config.equals("default") || everyOpen(config);
    }

    static boolean everyOpen(String config) {
        return config.equals("all") || VARIANTS.contains(config) || config.startsWith("all-md");
    }

    // ---- medians over rounds ----

    private List<Map<String, String>> rows(List<Map<String, String>> from, String config, String workload) {
        List<Map<String, String>> r = new ArrayList<>();
        for (Map<String, String> kv : from) {
            if (config.equals(kv.get("config")) && (workload == null || workload.equals(kv.get("workload")))) {
                r.add(kv);
            }
        }
        return r;
    }

    /** The W line of the same round, configuration and workload as an M line. */
    private Map<String, String> census(Map<String, String> mline) {
        for (Map<String, String> kv : w) {
            if (kv.get("round").equals(mline.get("round")) && kv.get("config").equals(mline.get("config"))
                    && kv.get("workload").equals(mline.get("workload"))) {
                return kv;
            }
        }
        return Map.of();
    }

    static double num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null || v.equals("NA") || v.isEmpty()) {
            return Double.NaN;
        }
        return Double.parseDouble(v);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double max(List<Double> values) {
        return values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Median over rounds of f(M line) for one cell. */
    double med(String config, String workload, Function<Map<String, String>, Double> f) {
        List<Double> v = new ArrayList<>();
        for (Map<String, String> kv : rows(m, config, workload)) {
            v.add(f.apply(kv));
        }
        return median(v);
    }

    double nsPerOp(String config, String workload) {
        return med(config, workload, kv -> num(kv, "ns_per_op"));
    }

    double sliceNsPerOp(String config, String workload) {
        return med(config, workload, kv -> num(kv, "slice_ns_per_op"));
    }

    double ratio(String config, String workload) {
        return nsPerOp(config, workload) / nsPerOp("none", workload);
    }

    double sliceRatio(String config, String workload) {
        return sliceNsPerOp(config, workload) / sliceNsPerOp("none", workload);
    }

    /** Tracer CPU per record chained in the window, µs. */
    double cpuPerRecordUs(String config, String workload) {
        return med(config, workload, kv -> num(kv, "cpu_ns") / num(census(kv), "chained") / 1000);
    }

    double ctxPerSecond(String config, String workload) {
        return med(config, workload, kv -> num(kv, "ctxsw") / (num(kv, "window_ns") / 1e9));
    }

    double chainedPerSecond(String config, String workload) {
        return med(config, workload, kv -> num(census(kv), "chained") / (num(kv, "window_ns") / 1e9));
    }

    /** Share of the window's chained records made by other processes than the benchmark's. */
    double othersShare(String config, String workload) {
        return med(config, workload, kv -> num(census(kv), "others") / num(census(kv), "chained"));
    }

    double cpuShare(String config, String workload) {
        return med(config, workload, kv -> num(kv, "cpu_ns") / num(kv, "window_ns"));
    }

    double rssMiB(String config, String workload) {
        return med(config, workload, kv -> num(kv, "rss_kb") / 1024);
    }

    double latency(String config, String workload, String key) {
        List<Double> v = new ArrayList<>();
        for (Map<String, String> kv : rows(m, config, workload)) {
            v.add(num(census(kv), key));
        }
        return key.equals("lat_max_us") ? max(v) : median(v);
    }

    long sum(String config, String key) {
        long s = 0;
        for (Map<String, String> kv : rows(t, config, null)) {
            double d = num(kv, key);
            if (!Double.isNaN(d)) {
                s += (long) d;
            }
        }
        return s;
    }

    static String f(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "—" : String.format("%." + decimals + "f", v);
    }

    // ---- the report ----

    void print() {
        int rounds = (int) m.stream().map(kv -> kv.get("round")).distinct().count();
        long taxed = foreign.stream().filter(kv -> num(kv, "at_start") > 0 || num(kv, "at_end") > 0).count();
        if (taxed > 0) {
            out.printf("**WARNING: someone else's twinlane BPF programs were loaded at the start or the end of %d of %d"
                    + " configuration runs (at most %.0f programs): those runs, \"no agent\" included, may have paid for"
                    + " them too (the raw measurements' F lines say which).**%n%n", taxed, foreign.size(),
                    foreign.stream().mapToDouble(kv -> Math.max(num(kv, "at_start"), num(kv, "at_end"))).max().orElse(0));
        } else if (!foreign.isEmpty()) {
            out.printf("No one else's twinlane BPF programs were loaded at the start or the end of any of the %d"
                    + " configuration runs.%n%n", foreign.size());
        }
        out.println("## Cost per operation (median over " + rounds + " rounds)");
        out.println();
        out.println("| workload | configuration | ns/op | ratio | ratio, 10 ms slices | agent CPU µs/record | records/s chained"
                + " (other processes' share) | agent CPU share | ctx switches/s | RSS MiB | kernel→appended p50 µs | p99 µs"
                + " | p99.9 µs | max µs |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String wl : WORKLOADS) {
            for (String c : configs) {
                if (rows(m, c, wl).isEmpty()) {
                    continue;
                }
                boolean tw = twinlane(c);
                boolean sampled = tw || c.equals("floor");
                out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", WORKLOAD_NAMES.get(wl),
                        describe(c), f(nsPerOp(c, wl), 0), f(ratio(c, wl), 3), f(sliceRatio(c, wl), 3),
                        tw ? f(cpuPerRecordUs(c, wl), 2) : "—",
                        tw ? f(chainedPerSecond(c, wl), 0) + " (" + f(100 * othersShare(c, wl), 0) + " %)" : "—",
                        sampled ? f(100 * cpuShare(c, wl), 1) + " %" : "—", sampled ? f(ctxPerSecond(c, wl), 0) : "—",
                        sampled ? f(rssMiB(c, wl), 0) : "—", tw ? f(latency(c, wl, "lat_p50_us"), 0) : "—",
                        tw ? f(latency(c, wl, "lat_p99_us"), 0) : "—", tw ? f(latency(c, wl, "lat_p999_us"), 0) : "—",
                        tw ? f(latency(c, wl, "lat_max_us"), 0) : "—");
            }
        }
        out.println();
        printDelays();
        printRuns();
        printChecks();
        printTargets();
    }

    private List<String> delayConfigs() {
        List<String> d = new ArrayList<>();
        for (String c : configs) {
            if (everyOpen(c) && !VARIANTS.contains(c) && !rows(m, c, "open").isEmpty()) {
                d.add(c);
            }
        }
        d.sort((a, b) -> Long.compare(delayNs(a), delayNs(b)));
        return d;
    }

    private void printDelays() {
        out.println("## Wake-up trade-off: security.max_delay, every open recorded, open+close");
        out.println();
        out.println("| max_delay | ns/op | ratio | agent CPU µs/record | ctx switches/s | kernel→appended p50 µs | p99 µs | p99.9 µs | max µs | kernel drops |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String c : delayConfigs()) {
            out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", delayLabel(c), f(nsPerOp(c, "open"), 0),
                    f(ratio(c, "open"), 3), f(cpuPerRecordUs(c, "open"), 2), f(ctxPerSecond(c, "open"), 0),
                    f(latency(c, "open", "lat_p50_us"), 0), f(latency(c, "open", "lat_p99_us"), 0),
                    f(latency(c, "open", "lat_p999_us"), 0), f(latency(c, "open", "lat_max_us"), 0), sum(c, "sec_dropped"));
        }
        out.println();
    }

    static String delayLabel(String c) {
        long ns = delayNs(c);
        return ns == 0 ? "0 (woken per record)" : ns % 1_000_000 == 0 ? ns / 1_000_000 + "ms" : ns / 1_000 + "us";
    }

    private void printRuns() {
        out.println("## Tracer runs (sums over rounds)");
        out.println();
        out.println("| configuration | runs | security ring records | dropped in kernel | GAP records (lost) | verify OK"
                + " | chained exec / file_open / connect | of other processes (most, one run) | observability ring records (dropped) |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String c : configs) {
            List<Map<String, String>> runs = rows(t, c, null);
            if (runs.isEmpty() || c.equals("none")) {
                continue;
            }
            if (twinlane(c)) {
                long ok = runs.stream().filter(kv -> "OK".equals(kv.get("verify"))).count();
                String most = "";
                double mostN = -1;
                for (Map<String, String> kv : runs) {
                    if (num(kv, "others") > mostN) {
                        mostN = num(kv, "others");
                        most = kv.getOrDefault("others_top", "").replace(",", ", ");
                    }
                }
                out.printf("| %s | %d | %d | %d | %d (%d) | %d of %d | %d / %d / %d | %d (%s) | %d (%d) |%n", describe(c),
                        runs.size(), sum(c, "sec_records"), sum(c, "sec_dropped"), sum(c, "gap_records"), sum(c, "gap_lost"), ok,
                        runs.size(), sum(c, "kind_exec"), sum(c, "kind_file_open"), sum(c, "kind_connect"), sum(c, "others"),
                        most, sum(c, "obs_records"), sum(c, "obs_dropped"));
            } else if (c.equals("floor")) {
                out.printf("| %s | %d | %d | %d | — | — | — | — | — |%n", describe(c), runs.size(), sum(c, "records"), sum(c, "dropped"));
            } else if (c.equals("auditd")) {
                out.printf("| %s | %d | — | %d events lost (auditctl -s `lost`) | — | — | — | — | — |%n", describe(c), runs.size(),
                        sum(c, "lost"));
            }
        }
        out.println();
    }

    /** Does the log hold one record per operation (or name the missing ones in GAP records)? */
    String check(Map<String, String> mline) {
        Map<String, String> cen = census(mline);
        long ops = (long) num(mline, "ops");
        double recs = num(cen, "wl_records");
        if (Double.isNaN(recs)) {
            return "FAIL (no census)";
        }
        long gapLost = 0;
        for (Map<String, String> kv : rows(t, mline.get("config"), null)) {
            if (kv.get("round").equals(mline.get("round"))) {
                gapLost = (long) num(kv, "gap_lost");
            }
        }
        if ((long) recs == ops) {
            return "PASS";
        }
        if (recs < ops && recs + gapLost >= ops) {
            return "PASS (with " + gapLost + " lost in GAP records)";
        }
        return "FAIL";
    }

    private void printChecks() {
        out.println("## No silent loss: records of the workload's operations in the chained log");
        out.println();
        out.println("Each run's log is checked with `twinlane verify` before it is read; then the records of the workload's"
                + " own operations are counted (open: file_open records of its tgid and target path; exec: exec records whose"
                + " parent is the workload; connect: connect records of its tgid to 127.0.0.1 and the listener's port).");
        out.println();
        out.println("```");
        for (String c : configs) {
            if (!twinlane(c)) {
                continue;
            }
            for (Map<String, String> run : rows(t, c, null)) {
                out.printf("%s round %s config %s: twinlane verify %s%n", "OK".equals(run.get("verify")) ? "PASS" : "FAIL",
                        run.get("round"), c, run.getOrDefault("verify_line", run.get("verify")).replace('_', ' '));
            }
            for (String wl : WORKLOADS) {
                if (wl.equals("stat") || (wl.equals("open") && !everyOpen(c))) {
                    continue;
                }
                for (Map<String, String> kv : rows(m, c, wl)) {
                    String res = check(kv);
                    out.printf("%s round %s config %s workload %s: %s ops, %s records chained%s%n", res.startsWith("PASS") ? "PASS" : "FAIL",
                            kv.get("round"), c, wl, kv.get("ops"), f(num(census(kv), "wl_records"), 0),
                            res.equals("PASS") ? "" : " — " + res);
                }
            }
        }
        out.println("```");
        out.println();
    }

    private void target(String what, double value, double limit, String valueText, String limitText) {
        boolean pass = !Double.isNaN(value) && value <= limit;
        out.printf("%s %s: %s (target ≤ %s)%n", pass ? "PASS" : "FAIL", what, valueText, limitText);
    }

    /** The every-open configurations the targets are checked for: the default scheduling and nice -20. */
    private static final List<String> EVERY_OPEN_TARGETS = List.of("all", "all-nice");

    private void printTargets() {
        out.println("## Targets (issue 12)");
        out.println();
        out.println("```");
        for (String c : EVERY_OPEN_TARGETS) {
            if (!configs.contains(c)) {
                continue;
            }
            String who = c.equals("all") ? "every open chained" : describe(c);
            double r = ratio(c, "open");
            target(who + ", open+close ratio", r, 1.25, f(r, 3), "1.25");
            if (configs.contains("floor")) {
                double fl = ratio("floor", "open");
                target(who + ", open+close ratio within 1.05x of the C floor's", r / fl, 1.05,
                        f(r, 3) + " vs floor " + f(fl, 3) + " = " + f(r / fl, 3) + "x", "1.05x");
            }
            if (configs.contains("auditd")) {
                for (String wl : WORKLOADS) {
                    if (rows(m, c, wl).isEmpty() || rows(m, "auditd", wl).isEmpty()) {
                        continue;
                    }
                    double tw = ratio(c, wl) - 1;
                    double au = ratio("auditd", wl) - 1;
                    target(who + ", " + WORKLOAD_NAMES.get(wl) + " slowdown at most 1/10 of auditd's", tw, au / 10,
                            f(tw, 3) + " vs auditd " + f(au, 3), f(au / 10, 3));
                }
            }
        }
        if (configs.contains("default")) {
            double r = ratio("default", "open");
            target("defaults, open+close ratio", r, 1.05, f(r, 3), "1.05");
        }
        for (String c : EVERY_OPEN_TARGETS) {
            if (configs.contains(c)) {
                double cpu = cpuPerRecordUs(c, "open");
                target("agent CPU per chained record (" + (c.equals("all") ? "every open chained" : describe(c))
                        + ", open+close at full rate)", cpu, 2, f(cpu, 2) + " µs", "2 µs");
            }
        }
        for (String c : List.of("default", "all", "all-nice")) {
            if (!configs.contains(c)) {
                continue;
            }
            double worst = Double.NaN;
            String where = "";
            double worstLat = Double.NaN;
            String whereLat = "";
            for (String wl : WORKLOADS) {
                double cs = ctxPerSecond(c, wl);
                if (!Double.isNaN(cs) && (Double.isNaN(worst) || cs > worst)) {
                    worst = cs;
                    where = wl;
                }
                double p99 = latency(c, wl, "lat_p99_us");
                if (!Double.isNaN(p99) && (Double.isNaN(worstLat) || p99 > worstLat)) {
                    worstLat = p99;
                    whereLat = wl;
                }
            }
            target(describe(c) + ", agent context switches per second, highest over the workloads (" + where + ")", worst, 2000,
                    f(worst, 0) + "/s", "2000/s");
            target(describe(c) + ", kernel → appended p99, highest over the workloads (" + whereLat + ")", worstLat, 2000,
                    f(worstLat, 0) + " µs", "2000 µs");
        }
        for (String c : configs) {
            if (twinlane(c)) {
                long d = sum(c, "sec_dropped");
                target(describe(c) + ", security records dropped in the kernel (every run, loops at full rate)", d, 0,
                        String.valueOf(d), "0");
            }
        }
        out.println("```");
        out.println();
    }

    /** ratios.dat: one row per workload, one column per configuration; delay.dat: the max_delay rows. */
    void plotData(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder r = new StringBuilder("workload");
        List<String> cols = new ArrayList<>();
        for (String c : configs) {
            if (!c.equals("none") && !c.startsWith("all-md")) {
                cols.add(c);
            }
        }
        for (String c : cols) {
            r.append('\t').append('"').append(describe(c)).append('"');
        }
        r.append('\n');
        for (String wl : WORKLOADS) {
            r.append('"').append(WORKLOAD_NAMES.get(wl)).append('"');
            for (String c : cols) {
                double v = ratio(c, wl);
                r.append('\t').append(Double.isNaN(v) ? "NaN" : f(v, 4));
            }
            r.append('\n');
        }
        Files.writeString(dir.resolve("ratios.dat"), r);
        StringBuilder d = new StringBuilder("# max_delay_us ratio p50_us p99_us label\n");
        for (String c : delayConfigs()) {
            d.append(delayNs(c) / 1000.0).append('\t').append(f(ratio(c, "open"), 4)).append('\t')
                    .append(f(latency(c, "open", "lat_p50_us"), 1)).append('\t').append(f(latency(c, "open", "lat_p99_us"), 1))
                    .append('\t').append('"').append(delayLabel(c).replace(" (woken per record)", "")).append('"').append('\n');
        }
        Files.writeString(dir.resolve("delay.dat"), d.toString().replace("—", "NaN"));
    }
}
