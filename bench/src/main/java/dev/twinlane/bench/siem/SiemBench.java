package dev.twinlane.bench.siem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.ExportSettings;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.records.SyntheticRecords;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The SIEM consumer's verified records/s against Kafka's own ConsumerPerformance, reading the same
 * topic from the same local broker in the same run (issue 17).
 *
 * <p>The topic: HOSTS security logs (one per simulated host, each with its own root key and the
 * fleet's seal key, kernel-shaped records from SyntheticRecords, seals and Merkle checkpoints as
 * the agent writes them), shipped by the real exporter to a topic of HOSTS partitions keyed by
 * host; host names are picked so that each lands on its own partition.
 *
 * <p>Each round runs, in fresh JVMs pinned to one CPU with taskset: ConsumerPerformance reading
 * the whole security topic; one SiemConsumer verifying every record (MACs with the root keys,
 * seals and checkpoints with the public key) and writing OCSF lines to a file; and two
 * SiemConsumers in one group, one per CPU. Prints every run, the medians and the ratios.
 *
 * <p>With a baseline classpath (the consumer's classes of another revision ahead of this one's
 * jars), each round also runs that consumer alone, for a before/after in one run.
 *
 * <p>Arguments: WORK RECORDS HOSTS ROUNDS CPU OTHER_CPU JVM_OPTS (one string) CLASSPATH [BASELINE_CLASSPATH|- REV]
 */
public final class SiemBench {
    private static final Pattern PERF_HEADER = Pattern.compile("^start\\.time, ");
    private static final Pattern SIEM = Pattern.compile("RESULT impl=siem messages=(\\d+) events=(\\d+) duplicates=(\\d+)"
            + " checkpoints=(\\d+) first_ns=(\\d+) last_ns=(\\d+) rps=\\S+ alerts=(\\S*) cpu_ns=(-?\\d+) commit_ns=(-?\\d+)");
    /** The broker's JVM, whose CPU each side's line reports (it runs unpinned, on the same cores). */
    private static long brokerPid;
    /** Records per CPU-second of the last side's whole process (JVM start to exit), for the medians. */
    private static double lastPerCpu;

    private SiemBench() {
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE); // the logs' start lines
        Path work = Path.of(args[0]);
        long records = Long.parseLong(args[1]);
        int hosts = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        String cpu = args[4];
        String otherCpu = args[5];
        List<String> jvm = args[6].isBlank() ? List.of() : Arrays.asList(args[6].trim().split("\\s+"));
        String cp = args[7];
        String baseCp = args.length > 8 && !args[8].equals("-") ? args[8] : null;
        String baseRev = args.length > 9 ? args[9] : "";
        Files.createDirectories(work);
        SealKey seal = SealKey.generate(work.resolve("seal.key"), work.resolve("seal.pub"));
        List<String> names = hostNames(hosts);
        List<Path> keys = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int h = 0; h < hosts; h++) {
            keys.add(fill(work.resolve(names.get(h)), names.get(h), seal, records / hosts, 17 + h));
        }
        System.out.printf("logs: %d hosts (%s), %d kernel-shaped records each (60%% file_open, 25%% exec, 15%% connect),"
                + " seals and checkpoints as the agent writes them; written in %.1f s%n", hosts, String.join(", ", names),
                records / hosts, (System.nanoTime() - t0) / 1e9);
        String prefix = "bench";
        // Kafka's default initial rebalance delay, not the tests' 0: with 0 the first of the two consumers of a group
        // took all four partitions alone and gave two away in a rebalance mid-run (their spans overlapped only in part)
        try (KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(work.resolve("broker"))
                .property("group.initial.rebalance.delay.ms", "3000"))) {
            brokerPid = broker.pid();
            System.out.println("broker: " + broker.bootstrap() + " (KRaft, own JVM, not pinned)");
            t0 = System.nanoTime();
            for (int h = 0; h < hosts; h++) {
                export(work.resolve(names.get(h)), names.get(h), seal, broker.bootstrap(), prefix, hosts);
            }
            long security = total(broker.bootstrap(), prefix + ".security");
            long seals = total(broker.bootstrap(), prefix + ".seals");
            System.out.printf("topic %s.security: %d messages on %d partitions (one host each), %s.seals: %d; exported in %.1f s%n",
                    prefix, security, hosts, prefix, seals, (System.nanoTime() - t0) / 1e9);
            double[] perf = new double[rounds];
            double[] one = new double[rounds];
            double[] two = new double[rounds];
            double[] base = new double[rounds];
            double[] perfCpu = new double[rounds];
            double[] oneCpu = new double[rounds];
            for (int round = 1; round <= rounds; round++) {
                List<String> sides = new ArrayList<>(List.of("perf", "siem"));
                if (baseCp != null) {
                    sides.add("base");
                }
                java.util.Collections.rotate(sides, round - 1); // each goes first in turn
                for (String side : sides) {
                    if (side.equals("base")) {
                        base[round - 1] = single(baseCp, "SIEM consumer@" + baseRev, jvm, broker.bootstrap(), prefix, work, keys,
                                security, seals, round, cpu);
                    } else if (side.equals("perf")) {
                        Usage u = Usage.now();
                        CpuWatch w = new CpuWatch();
                        perf[round - 1] = perf(broker.bootstrap(), prefix + ".security", security, "perf-" + round, cpu, w);
                        perfCpu[round - 1] = security / w.seconds();
                        System.out.printf("round %d ConsumerPerformance    %9.0f records/s (CPU %s; %.0f records per CPU-second of"
                                + " its whole process, %.1f CPU-s; %s)%n", round, perf[round - 1], cpu, perfCpu[round - 1],
                                w.seconds(), u.since());
                    } else {
                        one[round - 1] = single(cp, "SIEM consumer", jvm, broker.bootstrap(), prefix, work, keys, security,
                                seals, round, cpu);
                        oneCpu[round - 1] = lastPerCpu;
                    }
                }
                Path dir = Files.createDirectories(work.resolve("siem2-" + round));
                Run a = siem(cp, jvm, broker.bootstrap(), prefix, "siem2-" + round, dir, "a", work, keys, 0, cpu);
                Run b = siem(cp, jvm, broker.bootstrap(), prefix, "siem2-" + round, dir, "b", work, keys, 0, otherCpu);
                a.awaitReady();
                b.awaitReady();
                Usage u = Usage.now();
                a.go();
                b.go();
                a.waitFor();
                b.waitFor();
                String usage = u.since();
                long span = Math.max(a.last, b.last) - Math.min(a.first, b.first);
                two[round - 1] = security / (span / 1e9);
                System.out.printf("round %d two SIEM consumers     %9.0f records/s, first message to last of either (one group;"
                        + " sum of each one's own rate %.0f; both consuming for %.1f s of the %.1f s; CPU %s: %.0f records/s, %s;"
                        + " CPU %s: %.0f records/s, %s; %s)%n", round,
                        two[round - 1], a.messages / a.seconds() + b.messages / b.seconds(),
                        Math.max(0, Math.min(a.last, b.last) - Math.max(a.first, b.first)) / 1e9, span / 1e9, cpu,
                        a.messages / a.seconds(), a, otherCpu, b.messages / b.seconds(), b, usage);
                if (a.messages + b.messages < security + seals) {
                    throw new IOException("the two consumers read " + (a.messages + b.messages) + " messages of " + (security + seals));
                }
                delete(dir);
            }
            double mp = median(perf);
            double mo = median(one);
            double mt = median(two);
            System.out.printf("median over %d rounds: SIEM consumer %.0f records/s, ConsumerPerformance %.0f records/s,"
                    + " ratio %.2fx (targets >= 100000 records/s, >= 0.5x); two consumers %.0f records/s, %.2fx one"
                    + " (target >= 1.6x)%n", rounds, mo, mp, mo / mp, mt, mt / mo);
            System.out.printf("per CPU-second of the whole process (JVM start to exit, all its threads; not moved by what"
                    + " else runs on the cores): SIEM consumer %.0f records, ConsumerPerformance %.0f records, ratio %.2fx%n",
                    median(oneCpu), median(perfCpu), median(oneCpu) / median(perfCpu));
            if (baseCp != null) {
                System.out.printf("baseline: SIEM consumer@%s %.0f records/s; this one %.2fx it%n", baseRev, median(base),
                        mo / median(base));
            }
            System.out.printf("SUMMARY siem_rps=%.0f perf_rps=%.0f ratio=%.3f two_rps=%.0f two_ratio=%.3f records=%d hosts=%d"
                    + " rounds=%d%n", mo, mp, mo / mp, mt, mt / mo, security, hosts, rounds);
        }
    }

    /** One SIEM consumer alone, reading the whole topic; its verified records/s. */
    private static double single(String cp, String label, List<String> jvm, String bootstrap, String prefix, Path work,
                                 List<Path> keys, long security, long seals, int round, String cpu) throws Exception {
        String group = label.replaceAll("[^a-zA-Z0-9]", "-") + round;
        Path dir = Files.createDirectories(work.resolve(group));
        Run r = siem(cp, jvm, bootstrap, prefix, group, dir, "a", work, keys, security + seals, cpu);
        r.awaitReady();
        Usage u = Usage.now();
        r.go();
        r.waitFor();
        double rps = security / r.seconds();
        lastPerCpu = security / r.watch.seconds();
        System.out.printf("round %d %-22s %9.0f records/s (CPU %s; %s; %.0f records per CPU-second of its whole process,"
                + " %.1f CPU-s; %s)%n", round, label, rps, cpu, r, lastPerCpu, r.watch.seconds(), u.since());
        delete(dir);
        return rps;
    }

    /** host-0, host-1, ... chosen so that the default partitioner puts each on its own partition. */
    static List<String> hostNames(int hosts) {
        String[] byPartition = new String[hosts];
        int found = 0;
        for (int i = 0; found < hosts; i++) {
            String name = "host-" + i;
            int p = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % hosts;
            if (byPartition[p] == null) {
                byPartition[p] = name;
                found++;
            }
        }
        return List.of(byPartition);
    }

    /** A host's security log of {@code n} records; returns its root key file. */
    private static Path fill(Path dir, String host, SealKey seal, long n, long seed) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.resolve("root.key");
        KeyRing.generate(key);
        try (ChainedLog log = ChainedLog.security(dir.resolve("security")).keys(KeyRing.load(key)).sealKey(seal)
                .hostId(host).build()) {
            SyntheticRecords gen = new SyntheticRecords(seed);
            for (int i = 0; i < n; i++) {
                byte[] r = gen.next(i);
                log.appender().append(r[0] & 0xFF | (r[1] & 0xFF) << 8, r);
            }
            log.syncNow();
        }
        return key;
    }

    private static void export(Path dir, String host, SealKey seal, String bootstrap, String prefix, int partitions)
            throws Exception {
        ExportSettings s = new ExportSettings().bootstrap(bootstrap).cursorDir(dir.resolve("export"));
        s.securityTopic = prefix + ".security";
        s.sealsTopic = prefix + ".seals";
        s.partitions = partitions;
        s.hostId = host;
        s.exportObservability = false;
        s.closeTimeout = Duration.ofSeconds(30);
        try (ChainedLog log = ChainedLog.security(dir.resolve("security")).keys(KeyRing.load(dir.resolve("root.key")))
                .sealKey(seal).hostId(host).build()) {
            long last = log.durableSeq();
            SecurityExporter e = new SecurityExporter(log, s, new SimpleMeterRegistry());
            e.start();
            while (e.ackedSeq() < last) {
                Thread.sleep(10);
            }
            Thread.sleep(1500); // the checkpoint of the last seal (published on the exporter's tick)
            e.close();
        }
    }

    /** Messages in a topic (sum of its partitions' end offsets). */
    private static long total(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin a = Admin.create(p)) {
            int parts = a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> want = new java.util.HashMap<>();
            for (int i = 0; i < parts; i++) {
                want.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            long sum = 0;
            for (var e : a.listOffsets(want).all().get(30, TimeUnit.SECONDS).values()) {
                sum += e.offset();
            }
            return sum;
        }
    }

    /** ConsumerPerformance's fetch.nMsg.sec: messages over the time from its first fetch to the last (group join left out). */
    private static double perf(String bootstrap, String topic, long messages, String group, String cpu, CpuWatch watch)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpu));
        cmd.addAll(KafkaBroker.javaCommand(List.of("-Xmx512m"), "org.apache.kafka.tools.ConsumerPerformance",
                List.of("--bootstrap-server", bootstrap, "--topic", topic, "--messages", String.valueOf(messages),
                        "--group", group, "--timeout", "60000"), null));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        watch.start(p);
        String header = null;
        String values = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                all.append(line).append('\n');
                if (PERF_HEADER.matcher(line).find()) {
                    header = line;
                } else if (header != null && values == null) {
                    values = line;
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || values == null) {
            throw new IOException("ConsumerPerformance failed:\n" + all);
        }
        List<String> h = Arrays.asList(header.split(",\\s*"));
        String[] v = values.split(",\\s*");
        long n = Long.parseLong(v[h.indexOf("data.consumed.in.nMsg")].trim());
        if (n < messages) {
            throw new IOException("ConsumerPerformance read " + n + " of " + messages + " messages:\n" + all);
        }
        return Double.parseDouble(v[h.indexOf("fetch.nMsg.sec")].trim());
    }

    private static Run siem(String cp, List<String> jvm, String bootstrap, String prefix, String group, Path dir, String name,
                            Path work, List<Path> keys, long expected, String cpu) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpu,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", cp, SiemRun.class.getName(), bootstrap, prefix, group, dir.resolve(name + ".ocsf").toString(),
                dir.resolve(name + ".witness").toString(), work.resolve("seal.pub").toString(), String.valueOf(expected)));
        for (Path k : keys) {
            cmd.add(k.toString());
        }
        return new Run(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** A SiemRun child and, once it ended, what it printed. */
    static final class Run {
        private final Process p;
        private final StringBuilder all = new StringBuilder();
        private final Thread pump;
        final CpuWatch watch = new CpuWatch();
        long messages;
        long cpuNanos;
        long commitNanos;
        long events;
        long first;
        long last;
        String summary;

        Run(Process p) {
            this.p = p;
            watch.start(p);
            this.pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        synchronized (all) {
                            all.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // the child ended
                }
            });
            pump.start();
        }

        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline && p.isAlive()) {
                synchronized (all) {
                    if (all.indexOf("READY") >= 0) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
            throw new IOException("SiemRun did not start:\n" + all);
        }

        void go() throws IOException {
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
        }

        Run waitFor() throws Exception {
            boolean done = p.waitFor(15, TimeUnit.MINUTES);
            pump.join();
            Matcher m = SIEM.matcher(all);
            if (!done || p.exitValue() != 0 || !m.find()) {
                throw new IOException("SiemRun failed:\n" + all);
            }
            messages = Long.parseLong(m.group(1));
            events = Long.parseLong(m.group(2));
            first = Long.parseLong(m.group(5));
            last = Long.parseLong(m.group(6));
            String alerts = m.group(7);
            cpuNanos = Long.parseLong(m.group(8));
            commitNanos = Long.parseLong(m.group(9));
            summary = messages + " messages, " + events + " verified events written, " + m.group(3) + " duplicates, "
                    + m.group(4) + " checkpoints accepted, alerts " + alerts + "; " + String.format("%.0f", messages / (cpuNanos / 1e9))
                    + " records per CPU-second of its JVM from first message to last"
                    + (commitNanos < 0 ? "" : String.format(", %.2f s waiting for offset commits", commitNanos / 1e9));
            for (String bad : List.of("modified", "inserted", "wrong-key", "missing", "unreadable", "checkpoint-", "bad-checkpoint")) {
                if (alerts.contains(bad)) {
                    throw new IOException("the SIEM consumer flagged a problem on an honest topic: " + summary + "\n" + all);
                }
            }
            return this;
        }

        double seconds() {
            return (last - first) / 1e9;
        }

        @Override
        public String toString() {
            return summary;
        }
    }

    /** A child's CPU time (all threads, user and system), read every 20 ms while it runs: the last reading before it exits. */
    static final class CpuWatch {
        private volatile long nanos;

        void start(Process p) {
            Thread t = new Thread(() -> {
                while (p.isAlive()) {
                    p.info().totalCpuDuration().ifPresent(d -> nanos = Math.max(nanos, d.toNanos()));
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cpu-watch");
            t.setDaemon(true);
            t.start();
        }

        double seconds() {
            return nanos / 1e9;
        }
    }

    /**
     * What the broker and the whole machine did over a span: the broker's CPU-seconds per second
     * (it is not pinned and shares the consumers' cores) and the machine's busy cores (/proc/stat,
     * every process, the other workers' too).
     */
    record Usage(long wallNanos, long brokerCpuNanos, long[] machine) {
        static Usage now() {
            return new Usage(System.nanoTime(), brokerCpu(), jiffies());
        }

        String since() {
            Usage n = now();
            double wall = (n.wallNanos - wallNanos) / 1e9;
            long total = n.machine[0] - machine[0];
            long idle = n.machine[1] - machine[1];
            int cores = Runtime.getRuntime().availableProcessors();
            return String.format("broker %.2f cores, machine %.2f of %d cores busy over the %.1f s", (n.brokerCpuNanos - brokerCpuNanos)
                    / 1e9 / wall, total == 0 ? 0 : cores * (double) (total - idle) / total, cores, wall);
        }

        private static long brokerCpu() {
            return ProcessHandle.of(brokerPid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }

        /** Total and idle (idle + iowait) jiffies of all CPUs. */
        private static long[] jiffies() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
