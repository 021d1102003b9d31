package dev.twinlane.bench.export;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.ExportSettings;
import dev.twinlane.records.SyntheticRecords;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wire.SecurityMessage;

/**
 * Export throughput of the security exporter against Kafka's own ProducerPerformance, on one
 * local broker (KRaft, its own JVM), in the same run: the same number of records, a record size
 * equal to the exporter's average message, the same producer settings (acks=all, idempotent,
 * linger, batch size, no compression, 5 in flight), one partition each, each side in a fresh JVM,
 * alternating for several rounds. Prints every round and the medians.
 *
 * Both are measured at steady state: the broker is warmed up first, and each run ships WARMUP
 * records untimed before the measured ones (ProducerPerformance's own --warmup-records; the
 * exporter's log holds WARMUP records more, and its clock starts when they are acknowledged).
 *
 * <p>Arguments: WORK_DIR RECORDS ROUNDS JAVA_OPTS_FOR_EXPORTER (one string) CLASSPATH WARMUP
 */
public final class ExportBench {
    private static final Pattern PERF = Pattern.compile("(\\d+) steady state records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\)");
    private static final Pattern OURS = Pattern.compile("RESULT impl=twinlane records=(\\d+) seconds=([0-9.]+) rps=([0-9.]+)");

    private static final StringBuilder EXTRA = new StringBuilder();

    private ExportBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[5]);
        List<String> jvm = args[3].isBlank() ? List.of() : Arrays.asList(args[3].trim().split("\\s+"));
        String cp = args[4];
        Files.createDirectories(work);

        Path logDir = work.resolve("security");
        Path key = work.resolve("root.key");
        KeyRing.generate(key);
        fill(logDir, key, warmup + records, 42);
        long total = 0;
        long messages = 0;
        long skip = warmup + 1; // GENESIS and the warm-up records
        try (ChainedLog log = ChainedLog.security(logDir).keys(KeyRing.load(key)).build();
                ChainReader r = log.reader()) {
            SecurityMessage enc = new SecurityMessage();
            byte[] prev = new byte[32];
            while (r.next()) {
                int n = enc.encode(r.bytes(), r.length(), prev, "bench-host", log.logId()).length;
                System.arraycopy(r.bytes(), r.length() - 32, prev, 0, 32);
                if (r.seq() > skip) {
                    total += n;
                    messages++;
                }
            }
        }
        int size = (int) Math.round((double) total / messages);
        ExportSettings s = ExportRun.settings("x:1", "x");
        System.out.printf("log: %d kernel-shaped records (60%% file_open, 25%% exec, 15%% connect) + GENESIS; %d measured"
                + " messages after %d warm-up ones, average value %d bytes%n", warmup + records, messages, skip, size);

        double[] ours = new double[rounds];
        double[] perf = new double[rounds];
        try (KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(work.resolve("broker")))) {
            System.out.println("broker: " + broker.bootstrap() + " (KRaft, 256 MB heap, own JVM)");
            topics(broker.bootstrap(), true, "bench-broker-warmup");
            run(KafkaBroker.javaCommand(List.of("-Xmx512m"), "org.apache.kafka.tools.ProducerPerformance",
                    List.of("--bootstrap-server", broker.bootstrap(), "--topic", "bench-broker-warmup", "--num-records",
                            String.valueOf(warmup), "--warmup-records", "1", "--record-size", String.valueOf(size),
                            "--throughput", "-1", "--command-property", "acks=all"), null), PERF);
            topics(broker.bootstrap(), false, "bench-broker-warmup");
            System.out.println("broker warmed up with " + warmup + " records; each run ships " + skip
                    + " warm-up records first, untimed (ProducerPerformance: --warmup-records; the exporter: the log's first "
                    + skip + " records)");
            String props = "acks=all enable.idempotence=true max.in.flight.requests.per.connection=5 linger.ms="
                    + s.lingerMs + " batch.size=" + s.batchSize + " compression.type=" + s.securityCompression;
            System.out.println("producer settings, both sides: " + props + "; one partition; " + messages + " records");
            for (int round = 1; round <= rounds; round++) {
                for (String side : round % 2 == 1 ? List.of("twinlane", "perf") : List.of("perf", "twinlane")) {
                    String prefix = "bench-" + side + "-" + round;
                    topics(broker.bootstrap(), true, prefix + ".security", prefix + ".seals");
                    double c0 = childCpu();
                    double b0 = cpuOf(broker.pid());
                    if (side.equals("twinlane")) {
                        List<String> cmd = new ArrayList<>();
                        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                        cmd.addAll(jvm);
                        cmd.addAll(List.of("-cp", cp, ExportRun.class.getName(), logDir.toString(), key.toString(),
                                broker.bootstrap(), prefix, String.valueOf(skip)));
                        Matcher m = run(cmd, OURS);
                        System.out.println(EXTRA);
                        ours[round - 1] = Double.parseDouble(m.group(3));
                        System.out.printf("round %d twinlane exporter    %10.0f records/s  (%s records in %s s, %.1f MB/s)%n",
                                round, ours[round - 1], m.group(1), m.group(2), ours[round - 1] * size / 1e6);
                    } else {
                        List<String> args2 = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap(),
                                "--topic", prefix + ".security", "--num-records", String.valueOf(messages + skip),
                                "--warmup-records", String.valueOf(skip),
                                "--record-size", String.valueOf(size), "--throughput", "-1", "--command-property"));
                        args2.addAll(Arrays.asList(props.split(" ")));
                        Matcher m = run(KafkaBroker.javaCommand(List.of("-Xmx512m"),
                                "org.apache.kafka.tools.ProducerPerformance", args2, null), PERF);
                        perf[round - 1] = Double.parseDouble(m.group(2));
                        System.out.printf("round %d ProducerPerformance %10.0f records/s  (%s MB/s)%n", round,
                                perf[round - 1], m.group(3));
                    }
                    System.out.printf("  CPU: client JVM %.1f s, broker %.1f s%n", childCpu() - c0, cpuOf(broker.pid()) - b0);
                    topics(broker.bootstrap(), false, prefix + ".security", prefix + ".seals");
                }
            }
        }
        double mo = median(ours);
        double mp = median(perf);
        System.out.printf("median over %d rounds: twinlane exporter %.0f records/s, ProducerPerformance %.0f records/s,"
                + " ratio %.2fx (target >= 0.8x)%n", rounds, mo, mp, mo / mp);
        System.out.printf("SUMMARY export_rps=%.0f perf_rps=%.0f ratio=%.3f record_bytes=%d records=%d rounds=%d%n",
                mo, mp, mo / mp, size, messages, rounds);
    }

    private static void fill(Path dir, Path key, int n, long seed) {
        try (ChainedLog log = ChainedLog.security(dir).keys(KeyRing.load(key)).hostId("bench-host").build()) {
            SyntheticRecords gen = new SyntheticRecords(seed);
            for (int i = 0; i < n; i++) {
                byte[] r = gen.next(i);
                log.appender().append(r[0] & 0xFF, r);
            }
            log.syncNow();
        }
    }

    private static Matcher run(List<String> cmd, Pattern want) throws IOException, InterruptedException {
        StringBuilder extra = EXTRA;
        extra.setLength(0);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Matcher found = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("PRODUCER ") || line.startsWith("WARMUP ") || line.startsWith("JIT ")) {
                    extra.append(extra.length() == 0 ? "  exporter: " : "; ").append(line.startsWith("PRODUCER ")
                            ? "producer " + line.substring(9) : line.toLowerCase(java.util.Locale.ROOT));
                }
                Matcher m = want.matcher(line);
                if (m.find()) {
                    found = m;
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || found == null) {
            throw new IOException("run failed: " + String.join(" ", cmd.subList(Math.max(0, cmd.size() - 8), cmd.size()))
                    + "\n" + all);
        }
        return found;
    }

    private static void topics(String bootstrap, boolean create, String... names) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin a = Admin.create(p)) {
            if (create) {
                List<NewTopic> t = new ArrayList<>();
                for (String n : names) {
                    t.add(new NewTopic(n, Optional.of(1), Optional.empty()));
                }
                a.createTopics(t).all().get(30, TimeUnit.SECONDS);
            } else {
                a.deleteTopics(List.of(names)).all().get(30, TimeUnit.SECONDS); // keeps the disk use of a long run flat
            }
        }
    }

    /** CPU seconds of the children this JVM has waited for (the runs). */
    private static double childCpu() throws IOException {
        String st = Files.readString(Path.of("/proc/self/stat"));
        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
    }

    /** CPU seconds of a running process (the broker). */
    private static double cpuOf(long pid) throws IOException {
        String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
