package dev.twinlane.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.siem.Siem;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;

/**
 * The steps of `twinlane demo`: start Prometheus, the agent and the broker (the agent's exporter
 * retries until the broker serves, so the two start side by side), then the SIEM consumer once the
 * agent has made its keys; drive the workload; wait for the SIEM's verified events and Prometheus's
 * answers; stop the agent (its logs end sealed) and verify its security log; let the SIEM read the
 * rest. Narrates each step; returns the summary.
 */
final class DemoRun {
    /** The summary's lines, and whether everything the demo promises was shown. */
    record Summary(List<String> lines, boolean ok) {
    }

    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(40);
    private final DemoStack stack;
    private final PrintStream out;
    private final long t0 = System.nanoTime();
    private final List<String> missing = new ArrayList<>();

    DemoRun(DemoStack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    Summary run() throws Exception {
        Path dir = stack.dir();
        Path scratch = dir.resolve("scratch");
        Path data = dir.resolve("data");
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        Path siemDir = Files.createDirectories(dir.resolve("siem"));
        DemoWorkload.prepare(scratch);
        int metricsPort = LocalPrometheus.freePort();
        int brokerPort = distinctPort(metricsPort, 0);
        int denyPort = distinctPort(metricsPort, brokerPort);
        out.println("twinlane demo: working in " + dir);

        LocalPrometheus prometheus = LocalPrometheus.start(Files.createDirectories(dir.resolve("prometheus")),
                "127.0.0.1:" + metricsPort, rules());
        stack.adopt("prometheus", prometheus.pid(), DemoStack.SCRAPER, 20);
        step("prometheus", prometheus.pid(), prometheus.url() + ", scraping the agent every second");
        Path agentLog = agentDir.resolve("agent.log");
        Path records = agentDir.resolve("records.jsonl");
        Process agent = stack.start("agent", new ProcessBuilder(ChildJvm.command(agentDir.resolve("agent.status"), "run",
                "--data-dir", data.toString(), "--kafka", "127.0.0.1:" + brokerPort, "--metrics", "127.0.0.1:" + metricsPort,
                "--watch", scratch + "/", "--deny-port", String.valueOf(denyPort), "--print", "all"))
                .redirectOutput(records.toFile()).redirectError(agentLog.toFile()), DemoStack.AGENT, 60);
        step("agent", agent.pid(), "run --kafka 127.0.0.1:" + brokerPort + " --metrics 127.0.0.1:" + metricsPort
                + " --watch " + scratch + "/ --deny-port " + denyPort + " --print all (records to " + records + ")");
        KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().port(brokerPort).dataDir(dir.resolve("broker")));
        stack.adopt("kafka broker", broker.pid(), DemoStack.BROKER, 40);
        step("kafka broker", broker.pid(), broker.bootstrap() + " (KRaft, one node)");
        String loaded = awaitLine(agent, agentLog, "twinlane: mode ");
        awaitLine(agent, agentLog, "twinlane: metrics at ");
        out.println("         agent ready: " + loaded.substring("twinlane: ".length()));

        Path ocsf = siemDir.resolve("ocsf.jsonl");
        Path siemLog = siemDir.resolve("siem.log");
        Process siem = stack.start("siem consumer", new ProcessBuilder(ChildJvm.command(siemDir.resolve("status"), "siem",
                "--bootstrap", broker.bootstrap(), "--key", data.resolve("keys/security.key").toString(),
                "--seal-key", data.resolve("keys/seal.pub").toString(), "--witness-state",
                siemDir.resolve("witness.state").toString(), "--group", "twinlane-demo", "--out", ocsf.toString()))
                .redirectErrorStream(true).redirectOutput(siemLog.toFile()), DemoStack.CONSUMER, 20);
        step("siem consumer", siem.pid(), "every MAC and seal checked, OCSF lines to " + ocsf);
        awaitLine(siem, siemLog, "twinlane siem: consuming");

        out.println("workload:");
        DemoWorkload.Result done = new DemoWorkload(out).run(scratch, denyPort);
        DemoReport.Siem seen = awaitSiem(ocsf, denyPort, done.plantedPid());
        String metrics = prometheus(prometheus);

        step("agent", agent.pid(), "SIGTERM: drains, seals both logs, ships what is durable");
        int agentExit = stack.stop(agent);
        String verified = verify(data);
        awaitQuiet(ocsf);
        DemoReport.Siem siemReport = DemoReport.siem(ocsf, denyPort, done.plantedPid());
        DemoReport.Records read = DemoReport.records(records, denyPort, done.plantedPid());
        return summary(read, seen, siemReport, done, denyPort, agentExit, lastLines(agentLog), verified, metrics, ocsf);
    }

    private Summary summary(DemoReport.Records read, DemoReport.Siem seen, DemoReport.Siem siem, DemoWorkload.Result done,
            int denyPort, int agentExit, List<String> agentStop, String verified, String metrics, Path ocsf) {
        List<String> s = new ArrayList<>();
        s.add("summary (" + seconds() + " s):");
        s.add("  records the agent read from the kernel, by lane and kind:");
        read.laneLines().forEach(l -> s.add("    " + l));
        agentStop.forEach(l -> s.add("  agent at its stop (exit " + agentExit + (agentExit == 143 ? ", SIGTERM" : "") + "): " + l));
        s.add("  denial: connect to 127.0.0.1:" + denyPort + " -> '" + done.deniedMessage() + "'; "
                + (read.denial() == null ? "no connect record with decision deny" : "record connect decision "
                + read.denial().path("decision").asText() + " ret " + read.denial().path("ret").asInt() + " pid "
                + read.denial().path("tgid").asLong())
                + (siem.denial() == null ? "" : "; SIEM: " + DemoReport.brief(siem.denial())));
        s.add("  planted argv: " + (siem.plantedExec() == null ? "not in the SIEM's output"
                : "SIEM: " + DemoReport.brief(siem.plantedExec())));
        s.add("  detection: " + detection(read, siem, verified));
        s.add("  chain: " + verified);
        s.add("  SIEM: " + siem.lines() + " OCSF events written to " + ocsf + ", " + siem.verified() + " verified record"
                + " by record (every MAC, seals with seal.pub); by class " + siem.byClass() + "; alerts "
                + (siem.alerts().isEmpty() ? "none" : siem.alerts()));
        s.add("  Prometheus: " + metrics);
        need(read.denial() != null && siem.denial() != null, "the denied connect in the log and the SIEM's output");
        need(siem.plantedExec() != null, "the planted exec in the SIEM's output");
        need(verified.startsWith("OK"), "a verified chain");
        need(siem.verified() > 0 && siem.alerts().keySet().stream().noneMatch(Siem.PROBLEMS::contains),
                "the SIEM's verified events without chain alerts");
        need(metrics.startsWith("up 1"), "Prometheus scraping the agent");
        need(seen.shows(), "the workload's events at the SIEM while the agent ran");
        s.add(missing.isEmpty() ? "everything shown." : "NOT shown: " + String.join("; ", missing));
        return new Summary(s, missing.isEmpty());
    }

    private static String detection(DemoReport.Records read, DemoReport.Siem siem, String verified) {
        if (!siem.detections().isEmpty()) {
            JsonNode f = siem.detections().get(0).path("finding_info");
            return siem.detections().size() + " finding(s) at the SIEM: " + f.path("types").path(0).asText() + ", rule "
                    + f.path("title").asText() + ", evidence '" + f.path("desc").asText() + "'";
        }
        if (read.detection() != null || verified.contains("detection ")) {
            return "detection records in the security log (see the verify counts)";
        }
        return "not available in this build: no detection records (the exec record above is what a detector flags)";
    }

    private void need(boolean shown, String what) {
        if (!shown) {
            missing.add(what);
        }
    }

    /** The SIEM's output once it holds the planted exec and the denial (40 s at most), each shown as it comes. */
    private DemoReport.Siem awaitSiem(Path ocsf, int denyPort, long plantedPid) throws Exception {
        long deadline = System.nanoTime() + WAIT_NS;
        DemoReport.Siem s = DemoReport.siem(ocsf, denyPort, plantedPid);
        while (!s.shows() && System.nanoTime() < deadline) {
            Thread.sleep(300);
            s = DemoReport.siem(ocsf, denyPort, plantedPid);
        }
        out.println("siem consumer: " + s.lines() + " OCSF events so far, " + s.verified() + " verified");
        if (s.denial() != null) {
            out.println("  the denial:      " + DemoReport.brief(s.denial()));
        }
        if (s.plantedExec() != null) {
            out.println("  the planted exec: " + DemoReport.brief(s.plantedExec()));
        }
        return s;
    }

    /** "up 1; ..." from Prometheus's HTTP API once it scraped the agent's records (40 s at most). */
    private String prometheus(LocalPrometheus p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NS;
        String security = "twinlane_lane_records_total{lane=\"security\"}";
        String observability = "twinlane_lane_records_total{lane=\"observability\"}";
        double up = p.query("up{job=\"twinlane\"}");
        double sec = p.query(security);
        while (!(up == 1 && sec > 0) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            up = p.query("up{job=\"twinlane\"}");
            sec = p.query(security);
        }
        String line = String.format("up %.0f; %s = %.0f; %s = %.0f (%s/api/v1/query)", up, security, sec, observability,
                p.query(observability), p.url());
        out.println("prometheus: " + line);
        return line;
    }

    private static String verify(Path data) throws Exception {
        ChainVerifier.Report r = new ChainVerifier(KeyRing.load(data.resolve("keys/security.key")),
                SealKey.loadPublic(data.resolve("keys/seal.pub"))).verify(data.resolve("security"), null);
        return r.line(KindNames::of) + VerifyCommand.lost(r) + " (twinlane verify --wal " + data.resolve("security")
                + " --key " + data.resolve("keys/security.key") + ")";
    }

    /** Waits until the SIEM's output has not grown for 3 s (20 s at most): it has read what the agent shipped. */
    private static void awaitQuiet(Path ocsf) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long size = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - since < TimeUnit.SECONDS.toNanos(3)) {
            long now = Files.exists(ocsf) ? Files.size(ocsf) : 0;
            if (now != size) {
                size = now;
                since = System.nanoTime();
            }
            Thread.sleep(200);
        }
    }

    /** The agent's own stop summary: its log lines on what the security and observability logs took. */
    private static List<String> lastLines(Path agentLog) throws IOException {
        return Files.readAllLines(agentLog).stream().filter(l -> l.startsWith("twinlane: security log:"))
                .map(l -> l.substring("twinlane: ".length())).toList();
    }

    private String awaitLine(Process p, Path log, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            for (String l : Files.readAllLines(log)) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("a demo process ended early (exit " + p.exitValue() + "): "
                        + tail(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + prefix + "' within 90 s: " + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> l = Files.readAllLines(log);
        return String.join(" | ", l.subList(Math.max(0, l.size() - 5), l.size()));
    }

    private void step(String name, long pid, String what) {
        out.printf("[%5.1f s] %-13s pid %-7d %s%n", (System.nanoTime() - t0) / 1e9, name, pid, what);
    }

    private String seconds() {
        return String.format("%.0f", (System.nanoTime() - t0) / 1e9);
    }

    private static int distinctPort(int a, int b) throws IOException {
        int p = LocalPrometheus.freePort();
        while (p == a || p == b) {
            p = LocalPrometheus.freePort();
        }
        return p;
    }

    /** deploy/prometheus/twinlane.rules.yml of the repository the command runs from, when there. */
    private static Path rules() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path rules = p.resolve("deploy/prometheus/twinlane.rules.yml");
            if (Files.exists(rules)) {
                return rules;
            }
        }
        return null;
    }
}
