package dev.twinlane.bench.policy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.PinDir;
import dev.twinlane.ingest.PolicyApplier;
import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.PolicyMap;

/**
 * The policy plane's figures (bench/run-policy.sh, which turns bpf_stats on and off around it):
 * compile and apply time at 1 k, 10 k and 100 k rules, the cgroup connect4 program's run time
 * per decision with 10 and 10 k rules (bpf_stats run_time_ns / run_cnt while a loop connects),
 * and the policy maps' memory per rule (bpftool's bytes_memlock). Writes a Markdown report.
 *
 * Every policy is applied in audit mode and matches nothing this host connects to (198.18.0.0/15,
 * 240.0.0.0/4, 2001:db8::/32, ports 61000+): the programs do every lookup and refuse nothing.
 *   java ... PolicyBench REPORT.md [runs]
 */
public final class PolicyBench {
    private static final int[] SIZES = {1_000, 10_000, 100_000};
    private static final int CONNECTS = 200_000;
    private static final Pattern RUN_TIME = Pattern.compile("\"run_time_ns\":(\\d+)");
    private static final Pattern RUN_CNT = Pattern.compile("\"run_cnt\":(\\d+)");
    private static final Pattern PROG_ID = Pattern.compile("\"prog_id\":(\\d+)");
    private static final Pattern MEMLOCK = Pattern.compile("\"bytes_memlock\":(\\d+)");

    private final Path pins = Path.of("/sys/fs/bpf/twinlane-bench-" + UUID.randomUUID().toString().substring(0, 8));
    private final Path files;
    private final PolicyMix mix;
    private final int runs;
    private final List<String> report = new ArrayList<>();
    private KernelIngest kernel;
    private long version;

    private PolicyBench(Path files, int runs) {
        this.files = files;
        this.mix = new PolicyMix(files);
        this.runs = runs;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path files = Files.createTempDirectory("twinlane-bench-policy-");
        PolicyBench b = new PolicyBench(files, runs);
        try {
            b.run();
        } finally {
            b.close();
            try (var s = Files.list(files)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(files);
        }
        Files.writeString(out, String.join("\n", b.report) + "\n");
        System.out.println("report: " + out);
    }

    private void run() throws Exception {
        kernel = KernelIngest.start(new IngestConfig().pinDir(pins).syscallSampleRate(0)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))));
        PolicyApplier applier = kernel.policyApplier();
        say("# Policy plane benchmark (bench/run-policy.sh)");
        say("");
        say("Host: kernel " + System.getProperty("os.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores (shared), JDK " + Runtime.version() + ". Medians over " + runs + " runs. Rules: per 100, 30"
                + " IPv4 addresses, 30 IPv6 addresses, 8 IPv4 networks, 8 IPv6 networks, 20 files (deny by inode),"
                + " 4 ports; all in audit mode, matching nothing the host uses. Load average (1, 5, 15 min) at the"
                + " start: " + loadAverage() + "; at the end: below.");
        say("");
        applyTimes(applier);
        decisionCost(applier);
        memory(applier);
        say("");
        say("Load average at the end: " + loadAverage() + " (the host's other work: every time here waits for it).");
    }

    // ---- compile and apply ----

    private void applyTimes(PolicyApplier applier) throws IOException {
        say("## Compile and apply");
        say("");
        List<CompileTimes.Phases> cold = CompileTimes.cold(files, 10_000, runs);
        say("compile: parse + check + compile (files resolved to inodes), warm: after " + CompileTimes.WARMUP
                + " compiles of the same policy in this JVM (the first compile in a fresh JVM is below the table)."
                + " apply, slot prepared: fill + meta + flip"
                + " after `prepare()` emptied the inactive slot ahead (what the agent's heartbeat does after each apply);"
                + " apply, slot cleared in it: the previous policy's entries deleted from the inactive slot first."
                + " A policy of " + PolicyApplier.TWO_THREADS_FROM + " entries or more is written by two threads, each"
                + " half of the entries; the same apply with one filling thread is measured in the same loop"
                + " (alternating) as the baseline. Of the prepared apply (two threads): the time inside the kernel's"
                + " bpf_map_update_batch calls, the CPU time (user + system) of the filling threads and their wall"
                + " time off a CPU (ready but waiting for a core, or a GC pause: a fill makes no blocking call), each"
                + " summed over the two threads, so they can exceed the wall time; and how long the two were writing"
                + " at the same time. The one-thread apply's CPU and waiting are given beside it."
                + " The 5 ms target (seed 000) is for 10 k rules.");
        say("");
        say("| rules | map entries | compile ms | apply ms (slot prepared) | one filling thread ms | two threads / one | kernel batch updates ms (summed) | fill CPU ms (summed) | fill waiting ms (summed) | threads overlapping ms | one thread: CPU ms | one thread: waiting ms | apply ms (clearing in it) | of which clearing ms | compile + apply ms |");
        say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int n : SIZES) {
            String text = rules(n);
            for (int w = 0; w < CompileTimes.WARMUP; w++) {
                compile(text);
            }
            List<Double> compile = new ArrayList<>();
            List<Double> prepared = new ArrayList<>();
            List<Double> oneThread = new ArrayList<>();
            List<Double> full = new ArrayList<>();
            List<Double> clearing = new ArrayList<>();
            List<Double> kernelShare = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> waiting = new ArrayList<>();
            List<Double> overlap = new ArrayList<>();
            List<Double> oneCpu = new ArrayList<>();
            List<Double> oneWaiting = new ArrayList<>();
            int entries = 0;
            for (int r = 0; r < runs; r++) {
                for (boolean prepare : new boolean[] {false, true}) {
                    long t0 = System.nanoTime();
                    CompiledPolicy p = compile(text);
                    compile.add((System.nanoTime() - t0) / 1e6);
                    if (prepare) {
                        applier.prepare();
                        applier.fillThreads(1);
                        PolicyApplier.Applied one = applier.apply(p);
                        oneThread.add(one.millis());
                        oneCpu.add(one.switchCpuMillis());
                        oneWaiting.add(one.fillWaitMillis());
                        applier.fillThreads(2);
                        applier.prepare();
                    }
                    PolicyApplier.Applied a = applier.apply(p);
                    entries = a.entries();
                    if (prepare) {
                        prepared.add(a.millis());
                        kernelShare.add(a.fillKernelMillis());
                        cpu.add(a.switchCpuMillis());
                        waiting.add(a.fillWaitMillis());
                        overlap.add(a.fillOverlapMillis());
                    } else {
                        full.add(a.millis());
                        clearing.add(a.clearNanos() / 1e6);
                    }
                }
            }
            double c = median(compile);
            say(String.format("| %d | %d | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                    n, entries, c, median(prepared), median(oneThread), median(prepared) / median(oneThread),
                    median(kernelShare), median(cpu), median(waiting), median(overlap), median(oneCpu),
                    median(oneWaiting), median(full), median(clearing), c + median(prepared)));
            if (n == 10_000) {
                double m = median(prepared);
                double f = median(full);
                double coldTotal = median(cold.stream().map(CompileTimes.Phases::total).toList());
                target10k = String.format("10 k rules against the 5 ms target (seed 000): compile %.2f ms (warm; the"
                        + " first compile in a fresh JVM %.2f ms) + apply %.2f ms (slot prepared ahead, as the agent's"
                        + " heartbeat leaves it after each apply) = %.2f ms: %s."
                        + " The apply alone: %s"
                        + " (%.2f ms with one filling thread in the same run, ratio %.3f); %.2f ms when the apply clears"
                        + " the previous policy from the slot first (%.2f ms of it clearing)", c, coldTotal, m, c + m,
                        verdict(c + m), verdict(m), median(oneThread),
                        m / median(oneThread), f, median(clearing));
                targetTable = List.of("| 10 k rules | ms | <= 5 ms |", "|---|---:|---|",
                        String.format("| compile, warm (after %d compiles) | %.2f | |", CompileTimes.WARMUP, c),
                        String.format("| compile, cold (the first in a fresh JVM) | %.2f | |", coldTotal),
                        String.format("| apply, slot prepared (the agent's apply) | %.2f | %s |", m, verdict(m)),
                        String.format("| apply, clearing the old slot in it | %.2f | %s |", f, verdict(f)),
                        String.format("| **compile + apply, warm** | **%.2f** | **%s** |", c + m, verdict(c + m)),
                        String.format("| compile + apply, cold compile | %.2f | %s |", coldTotal + m, verdict(coldTotal + m)));
            }
        }
        say("");
        say(target10k + ".");
        say("");
        targetTable.forEach(this::say);
        say("");
        compileTimes(cold, CompileTimes.warm(PolicyMix.policy(1, rules(10_000)), runs));
        breakdown(applier);
    }

    /** The 10 k compile by phase, cold (a fresh JVM's first) and warm. */
    private void compileTimes(List<CompileTimes.Phases> cold, List<CompileTimes.Phases> warm) {
        say("Where the 10 k compile's time goes (medians of " + runs + "): cold, the first compile in a fresh JVM"
                + " (one JVM each: classes loaded, the code interpreted; what an agent pays at start, and on its"
                + " first apply); warm, after " + CompileTimes.WARMUP + " compiles in this JVM. parse: the text read"
                + " and checked; compile: the files resolved to inodes (a stat each) and the map entries made;"
                + " resolving: compile less the same compile with the inodes from a table (warm only).");
        say("");
        say("| 10 k rules | parse ms | compile ms | of which resolving 2000 files ms | parse + compile ms |");
        say("|---|---:|---:|---:|---:|");
        say(String.format("| cold (first in a fresh JVM) | %.2f | %.2f | - | %.2f |", median(cold, CompileTimes.Phases::parse),
                median(cold, CompileTimes.Phases::compile), median(cold, CompileTimes.Phases::total)));
        say(String.format("| warm (after %d) | %.2f | %.2f | %.2f | %.2f |", CompileTimes.WARMUP,
                median(warm, CompileTimes.Phases::parse), median(warm, CompileTimes.Phases::compile),
                median(warm, CompileTimes.Phases::resolving), median(warm, CompileTimes.Phases::total)));
        say("");
    }

    private static double median(List<CompileTimes.Phases> v, java.util.function.ToDoubleFunction<CompileTimes.Phases> f) {
        return median(v.stream().map(f::applyAsDouble).toList());
    }

    /** The 10 k mix's kinds applied alone (slot prepared ahead): where the apply's time goes. */
    private void breakdown(PolicyApplier applier) throws IOException {
        say("Where the 10 k apply's time goes: each kind of the mix applied alone by one filling thread, slot"
                + " prepared ahead (medians):");
        applier.fillThreads(1);
        say("");
        say("| rules of the 10 k mix | map entries | apply ms | us per entry |");
        say("|---|---:|---:|---:|");
        String[] names = {"3000 IPv4 addresses (deny_ipv4: hash)", "3000 IPv6 addresses (deny_ipv6: hash)",
            "800 IPv4 networks (deny_cidr4: LPM trie)", "800 IPv6 networks (deny_cidr6: LPM trie)",
            "2000 files (deny_inode: hash)", "400 ports (deny_port_rule: hash)"};
        int[][] kinds = {{0, 30}, {30, 60}, {60, 68}, {68, 76}, {76, 96}, {96, 100}};
        double sumMs = 0;
        int sumEntries = 0;
        for (int i = 0; i < kinds.length; i++) {
            String text = mix.rules(10_000, kinds[i][0], kinds[i][1]);
            List<Double> ms = new ArrayList<>();
            int entries = 0;
            for (int r = 0; r < runs; r++) {
                CompiledPolicy p = compile(text);
                applier.prepare();
                PolicyApplier.Applied a = applier.apply(p);
                ms.add(a.millis());
                entries = a.entries() - p.entries(PolicyMap.SURVIVAL_INODE).size();
            }
            say(String.format("| %s | %d | %.2f | %.2f |", names[i], entries, median(ms), median(ms) * 1000 / entries));
            sumMs += median(ms);
            sumEntries += entries;
        }
        say("");
        say(String.format("(each row's entries exclude the survival_inode entries every policy carries.) The kinds alone"
                + " add up to %.2f ms for %d entries, %.2f us per entry: the time is the kernel's map update per entry"
                + " (one bpf_map_update_batch per map, inside which the kernel still inserts entry by entry, or one"
                + " bpf_map_update_elem per entry where a map type refuses batches; the hash maps are preallocated,"
                + " an insert takes an element from the map's free list, the LPM tries allocate theirs), not the flip. At that"
                + " rate one thread fills about %d entries in 5 ms; the 10 k mix makes %d (each rule once: connect6/bind6 look"
                + " IPv4-mapped addresses up in the IPv4 maps, so no mapped copies). The whole mix measured above also pays the noise of 2 shared"
                + " cores.", sumMs, sumEntries, sumMs * 1000 / sumEntries, (int) (5.0 / (sumMs / sumEntries)), sumEntries));
        applier.fillThreads(2);
        say("");
    }

    private String target10k = "";
    private List<String> targetTable = List.of();

    private static String verdict(double ms) {
        return ms <= 5 ? "met" : "NOT met";
    }

    private String rules(int n) throws IOException {
        return mix.rules(n);
    }

    private CompiledPolicy compile(String rules) {
        return PolicyMix.compile(PolicyMix.policy(++version, rules));
    }

    // ---- decision cost ----

    private void decisionCost(PolicyApplier applier) throws Exception {
        if (!Files.readString(Path.of("/proc/sys/kernel/bpf_stats_enabled")).trim().equals("1")) {
            throw new IllegalStateException("kernel.bpf_stats_enabled is off (bench/run-policy.sh turns it on for the run)");
        }
        String id4 = progId("link_tl_connect4");
        String id6 = progId("link_tl_connect6");
        say("## Kernel decision cost");
        say("");
        say("bpf_stats of this run's `tl_connect4` (prog id " + id4 + ") and `tl_connect6` (prog id " + id6 + "):"
                + " run_time_ns / run_cnt while a loop makes " + CONNECTS + " UDP connects: to 127.0.0.1 from an IPv4"
                + " socket (connect4 decides), to ::ffff:127.0.0.1 from an IPv6 socket (connect6, an IPv4-mapped"
                + " address: the IPv4 maps are read first, then the IPv6 ones) and to ::1 (connect6, IPv6 maps only)."
                + " It is the whole program per decision: the slot and deadman reads, the lookups, and the record it"
                + " builds and submits. Other processes' connects in the window count too. Medians of " + runs
                + " loops.");
        say("");
        say("| rules in force | connect4 ns per decision | connect6, mapped IPv4 ns | connect6, ::1 ns | connect4 runs |");
        say("|---:|---:|---:|---:|---|");
        for (int n : new int[] {0, 10, 10_000}) {
            applier.apply(compile(n == 0 ? "" : rules(n)));
            List<Double> four = cost(id4, StandardProtocolFamily.INET, "127.0.0.1");
            List<Double> mapped = cost(id6, StandardProtocolFamily.INET6, "::ffff:127.0.0.1");
            List<Double> six = cost(id6, StandardProtocolFamily.INET6, "::1");
            say(String.format("| %d | %.1f | %.1f | %.1f | %s |", n, median(four), median(mapped), median(six),
                    four.stream().map(v -> String.format("%.1f", v)).toList()));
        }
        say("");
    }

    private String progId(String link) throws IOException {
        return match(PROG_ID, bpftool("-j", "link", "show", "pinned", pins.resolve(link).toString()),
                "the prog_id of " + pins.resolve(link));
    }

    /** ns per decision of program {@code id}, one figure per loop of connects to {@code host}. */
    private List<Double> cost(String id, StandardProtocolFamily family, String host) throws IOException {
        List<Double> ns = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long[] before = stats(id);
            connects(family, host);
            long[] after = stats(id);
            ns.add((double) (after[0] - before[0]) / Math.max(1, after[1] - before[1]));
        }
        return ns;
    }

    private static void connects(StandardProtocolFamily family, String host) throws IOException {
        InetSocketAddress to = new InetSocketAddress(host, 9);
        try (DatagramChannel ch = DatagramChannel.open(family)) {
            for (int i = 0; i < CONNECTS; i++) {
                ch.connect(to);
                ch.disconnect();
            }
        }
    }

    private static long[] stats(String progId) throws IOException {
        String j = bpftool("-j", "prog", "show", "id", progId);
        if (!j.contains("run_time_ns")) {   // bpftool leaves both out while they are 0
            return new long[] {0, 0};
        }
        return new long[] {Long.parseLong(match(RUN_TIME, j, "run_time_ns")), Long.parseLong(match(RUN_CNT, j, "run_cnt"))};
    }

    // ---- memory ----

    private void memory(PolicyApplier applier) throws Exception {
        say("## Map memory");
        say("");
        say("bytes_memlock (`bpftool map show`) of the slot in force's 12 policy maps, after applying the policy, and"
                + " of both slots' 24; the hash maps are preallocated (their memory is that of their limits, whatever"
                + " they hold), the LPM tries grow with their entries. Per rule: (memory with the rules - memory with"
                + " none) / rules.");
        say("");
        say("| rules | map entries | slot memory KiB | both slots KiB | bytes per rule | bytes per entry |");
        say("|---:|---:|---:|---:|---:|---:|");
        int slot = applier.apply(compile("")).slot();
        long empty = slotMemory(slot);
        say(String.format("| 0 | 0 | %.1f | %.1f | - | - |", empty / 1024.0, (empty + slotMemory(1 - slot)) / 1024.0));
        for (int n : SIZES) {
            PolicyApplier.Applied a = applier.apply(compile(rules(n)));
            long m = slotMemory(a.slot());
            say(String.format("| %d | %d | %.1f | %.1f | %.1f | %.1f |", n, a.entries(), m / 1024.0,
                    (m + slotMemory(1 - a.slot())) / 1024.0, (m - empty) / (double) n, (m - empty) / (double) a.entries()));
        }
        say("");
        say("Both slots exist; the one not in force holds the previous policy until the next apply (or"
                + " `prepare()`) empties it.");
    }

    private long slotMemory(int slot) throws IOException {
        long total = 0;
        for (PolicyMap m : PolicyMap.values()) {
            String j = bpftool("-j", "map", "show", "pinned", pins.resolve("p" + m.mapName() + "_s" + slot).toString());
            total += Long.parseLong(match(MEMLOCK, j, "bytes_memlock of " + m.mapName()));
        }
        return total;
    }

    // ---- plumbing ----

    private static String bpftool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bpftool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    private static String match(Pattern p, String text, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + what + " in: " + text.strip());
        }
        return m.group(1);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Comparator.naturalOrder());
        return s.get(s.size() / 2);
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + ", " + f[1] + ", " + f[2];
    }

    private void say(String line) {
        report.add(line);
        System.out.println(line);
    }

    private void close() throws IOException {
        if (kernel != null) {
            kernel.close();
        }
        PinDir.remove(pins);
    }
}
