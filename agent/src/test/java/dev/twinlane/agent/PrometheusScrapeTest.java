package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A real Prometheus (Debian's package) scrapes the real agent: the agent runs as a child process
 * with --metrics on a free loopback port, Prometheus on another one with its own storage, scraping
 * every second and loading deploy/prometheus/twinlane.rules.yml. This test opens a watched file,
 * then asks Prometheus's HTTP API for `up` and for twinlane series whose values follow from what it
 * did. Both processes are stopped at the end.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PrometheusScrapeTest {
    private static final int OPENS = 500;

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesWhatTheWorkloadDid() throws Exception {
        PipelineTest.requireRoot();
        Prometheus.ensureInstalled();
        Path watched = Files.writeString(Files.createDirectories(tmp.resolve("w")).resolve("file"), "x\n");
        Path err = tmp.resolve("agent.err");
        int metricsPort = LocalPrometheus.freePort();
        Process agent = AgentProcess.start(err, tmp.resolve("agent.status"), "run", "--data-dir",
                tmp.resolve("data").toString(), "--mode", "audit", "--watch", watched.toString(), "--duration", "10m",
                "--metrics", "127.0.0.1:" + metricsPort);
        try (LocalPrometheus prometheus = LocalPrometheus.start(Files.createDirectories(tmp.resolve("prometheus")),
                "127.0.0.1:" + metricsPort, PrometheusRulesTest.DIR.resolve("twinlane.rules.yml"))) {
            AgentProcess.awaitLine(agent, err, "twinlane: metrics at http://127.0.0.1:" + metricsPort + "/metrics");
            awaitValue(prometheus, "up{job=\"twinlane\"}", v -> v == 1, "up == 1");
            String security = "twinlane_lane_records_total{lane=\"security\"}";
            double before = awaitValue(prometheus, security, v -> v >= 0, "security lane records");

            open(watched, OPENS);

            double after = awaitValue(prometheus, security, v -> v >= before + OPENS, "security records >= " + before
                    + " + " + OPENS + " opens");
            double ring = awaitValue(prometheus, "twinlane_ingest_records_total{ring=\"security\"}", v -> v >= after,
                    "security ring records >= the lane's");
            double durable = awaitValue(prometheus, "twinlane_wal_durable_seq{log=\"security\"}",
                    v -> v >= before + OPENS, "durable seq covers the opens");
            double kernelDrops = prometheus.query("sum(twinlane_drops_total{hop=\"kernel\"})");
            double fsyncs = awaitValue(prometheus, "twinlane_wal_fsync_latency_seconds_count{log=\"security\"}",
                    v -> v > 0, "fsyncs timed");
            double p99 = prometheus.query("histogram_quantile(0.99, rate(twinlane_wal_fsync_latency_seconds_bucket"
                    + "{log=\"security\"}[30s]))");
            double sealAge = awaitValue(prometheus, "twinlane_wal_seal_age_seconds{log=\"security\"}", v -> v < 10,
                    "a seal within 10 s");
            double enforcing = prometheus.query("sum(twinlane_hook_enforcing)");
            double canEnforce = prometheus.query("count(twinlane_hook_enforcing{capability=\"enforce\"})");
            // audit mode: every hook that could enforce does not, which the rules file calls degraded
            double degraded = awaitValue(prometheus,
                    "count(ALERTS{alertname=\"TwinlaneEnforcementDegraded\",capability=\"enforce\"})",
                    v -> v == canEnforce, "TwinlaneEnforcementDegraded pending or firing for each enforce-capable hook");
            JsonNode groups = prometheus.api("rules").get("groups");
            System.out.printf("Prometheus scrape: up 1; security lane records %.0f -> %.0f after %d opens; security ring"
                    + " %.0f; durable seq %.0f; kernel drops %.0f; fsyncs %.0f, p99 %.6f s; seal age %.1f s; hooks"
                    + " enforcing %.0f of %.0f enforce-capable (audit mode); enforcement-degraded alerts %.0f; rule"
                    + " groups %d%n", before, after, OPENS, ring, durable, kernelDrops, fsyncs, p99, sealAge,
                    enforcing, canEnforce, degraded, groups.size());
            assertEquals(0.0, kernelDrops, "no kernel drops for a burst of " + OPENS + " opens");
            assertTrue(p99 > 0 && p99 <= 10, "fsync p99 within the histogram: " + p99);
            assertEquals(0.0, enforcing, "audit mode: no hook enforces");
            assertTrue(canEnforce >= 1, "socket_connect can enforce here (cgroup programs)");
            assertEquals("twinlane", groups.get(0).get("name").asText());
            for (JsonNode rule : groups.get(0).get("rules")) {
                assertEquals("ok", rule.get("health").asText(), rule.toString());
            }
            assertTrue(prometheus.alive(), "prometheus still runs");
        } finally {
            agent.destroy();   // SIGTERM: the agent drains and stops
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", metricsPort), 1000);
            fail("the metrics port is still open after the agent stopped");
        } catch (java.net.ConnectException closed) {
            // the endpoint stopped with the agent
        }
    }

    /** Polls the query until its value satisfies {@code ok} (30 s at most); returns that value. */
    private static double awaitValue(LocalPrometheus p, String promql, DoublePredicate ok, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double v = Double.NaN;
        while (System.nanoTime() < deadline) {
            v = p.query(promql);
            if (!Double.isNaN(v) && ok.test(v)) {
                return v;
            }
            Thread.sleep(250);
        }
        fail(what + ": " + promql + " is " + v + " after 30 s");
        return v;
    }

    private static void open(Path file, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.read();
            }
        }
    }
}
