package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.siem.Siem;

/**
 * deploy/compose really comes up (root; Debian's docker.io and docker-compose 1.29, installed by
 * scripts/ensure-deps compose): a private dockerd, the local images (scripts/compose-local: a base
 * image from a cached debootstrap rootfs, Kafka from the project's jars), `up -d --build` with
 * docker-compose.local.yml. On the host: execs with a marked argv; then the SIEM consumer's output
 * must hold each of them, verified record by record, Prometheus must scrape the agent, and every
 * Grafana dashboard query must run on that Prometheus. Everything it made is torn down: the project
 * (containers, volumes, network and its bridge), then the dockerd by pid and its directory.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ComposeStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path COMPOSE = Prometheus.repoRoot().resolve("deploy/compose");
    private static final int EXECS = 5;

    @Test
    void theStackComesUpAndTheSiemVerifiesWhatTheHostDid() throws Exception {
        PipelineTest.requireRoot();
        ensure("scripts/ensure-deps", "compose");
        // the jars the Dockerfile packs: built when a source is newer, so not under ./twinlane test, which
        // builds them before the tests (a rebuild now could rewrite jars this JVM reads)
        ensure("./twinlane", "--version");
        String project = "twinlane-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        int port = LocalPrometheus.freePort();
        Map<String, String> env = Map.of("TWINLANE_PROMETHEUS_PORT", String.valueOf(port));
        List<String> compose = List.of("docker-compose", "-p", project, "-f", "docker-compose.yml", "-f",
                "docker-compose.local.yml");
        try (PrivateDockerd docker = PrivateDockerd.start(Path.of("/var/tmp", project))) {
            docker.ok(List.of("scripts/compose-local"), env, Prometheus.repoRoot());
            String bridge = null;
            try {
                time("up -d --build", () -> docker.ok(with(compose, "up", "-d", "--build"), env, COMPOSE));
                bridge = "br-" + docker.ok(List.of("/usr/bin/docker", "network", "inspect", "-f", "{{.Id}}",
                        project + "_default"), env, null).strip().substring(0, 12);
                LocalPrometheus prometheus = LocalPrometheus.at(port);
                // the first start on a busy machine is slow (Kafka's JVM the slowest): wait for the whole path
                await("Prometheus scrapes the agent", 180, () -> prometheus.query("up{job=\"twinlane\"}") == 1);
                await("the SIEM consumer writes what the agent exported", 240,
                        () -> !siemOutput(docker, compose, env).isEmpty());
                String marker = "twinlane-compose-" + project;
                Set<Long> pids = new HashSet<>();
                for (int i = 0; i < EXECS; i++) {
                    Process p = new ProcessBuilder("/bin/true", marker).start();
                    p.waitFor();
                    pids.add(p.pid());
                }
                List<JsonNode> events = new ArrayList<>();
                await("the SIEM's output holds the " + EXECS + " execs", 120, () -> {
                    events.clear();
                    events.addAll(siemOutput(docker, compose, env));
                    return execsOf(events, marker).size() == EXECS;
                });
                checkSiem(events, marker, pids);
                double security = prometheus.query("twinlane_lane_records_total{lane=\"security\"}");
                assertTrue(security >= EXECS, "twinlane_lane_records_total{lane=\"security\"} = " + security);
                int queries = checkDashboard(prometheus);
                System.out.printf("compose: %d OCSF events at the SIEM, the %d marked execs among them, each verified;"
                        + " Prometheus up 1, security lane records %.0f; %d dashboard queries ran on Prometheus%n",
                        events.size(), EXECS, security, queries);
                System.out.println("compose: grafana is left out by docker-compose.local.yml (Grafana is not in"
                        + " Debian's archive); its dashboard's queries ran against the stack's Prometheus instead");
            } catch (AssertionError e) {
                System.out.println(docker.run(with(compose, "logs", "--tail", "30"), env, COMPOSE).output());
                throw e;
            } finally {
                docker.ok(with(compose, "down", "-v", "--remove-orphans", "-t", "60"), env, COMPOSE);
                String volumes = docker.ok(List.of("/usr/bin/docker", "volume", "ls", "-q", "--filter",
                        "label=com.docker.compose.project=" + project), env, null);
                assertEquals("", volumes.strip(), "volumes left after down");
                assertEquals("", docker.ok(List.of("/usr/bin/docker", "ps", "-aq"), env, null).strip(), "containers left");
                if (bridge != null) {
                    assertFalse(Files.exists(Path.of("/sys/class/net", bridge)), bridge + " left after down");
                }
            }
        }
        assertFalse(Files.exists(Path.of("/var/tmp", project)), "the dockerd's directory is removed");
    }

    /** Every image of the file users run is pinned by digest; the local override needs no registry. */
    @Test
    void publicImagesArePinnedByDigest() throws Exception {
        String users = Files.readString(COMPOSE.resolve("docker-compose.yml"));
        Matcher images = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)").matcher(users);
        List<String> pulled = new ArrayList<>();
        while (images.find()) {
            if (!images.group(1).startsWith("twinlane/")) {   // built here, from the repository's Dockerfile
                pulled.add(images.group(1));
            }
        }
        assertEquals(3, pulled.size(), "kafka, prometheus and grafana: " + pulled);
        for (String image : pulled) {
            assertTrue(image.matches("[a-z/]+:[\\w.-]+@sha256:[0-9a-f]{64}"), image + " is not pinned by digest");
        }
        String dockerfile = Files.readString(Prometheus.repoRoot().resolve("Dockerfile"));
        assertTrue(dockerfile.matches("(?s).*ARG BASE=debian:bookworm-slim@sha256:[0-9a-f]{64}\n.*"), "Dockerfile's BASE");
    }

    private static void checkSiem(List<JsonNode> events, String marker, Set<Long> pids) {
        Set<Long> seen = new HashSet<>();
        for (JsonNode e : execsOf(events, marker)) {
            JsonNode v = e.path("unmapped").path("verification");
            assertEquals("hmac", v.path("chain").asText(), "each MAC verified: " + e);
            seen.add(e.path("process").path("pid").asLong());
        }
        assertEquals(pids, seen, "each marked exec of the host, once");
        for (JsonNode e : events) {
            String failure = e.path("unmapped").path("alert").path("failure").asText("");
            assertFalse(Siem.PROBLEMS.contains(failure), "a chain alert: " + e);
        }
    }

    /** Runs each query of the Grafana dashboard on Prometheus: no error, and a series, within 60 s. */
    private static int checkDashboard(LocalPrometheus prometheus) throws Exception {
        JsonNode dashboard = JSON.readTree(COMPOSE.resolve("grafana/dashboards/twinlane.json").toFile());
        String datasource = JSON.readTree(JSON.writeValueAsString(new org.yaml.snakeyaml.Yaml().load(
                Files.readString(COMPOSE.resolve("grafana/provisioning/datasources/prometheus.yml")))))
                .path("datasources").get(0).path("uid").asText();
        int n = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                assertEquals(datasource, target.path("datasource").path("uid").asText(), "the provisioned datasource");
                String expr = target.path("expr").asText();
                JsonNode[] answer = new JsonNode[1];
                await(panel.path("title").asText() + ": " + expr, 60, () -> {
                    answer[0] = prometheus.queryAnswer(expr);
                    assertEquals("success", answer[0].path("status").asText(), expr + ": " + answer[0]);
                    return answer[0].path("data").path("result").size() > 0;
                });
                n++;
            }
        }
        assertTrue(n >= 5, "events/s, drops, fsync latency, export lag, enforcement: " + n + " queries");
        return n;
    }

    private static List<JsonNode> execsOf(List<JsonNode> events, String marker) {
        return events.stream().filter(e -> e.path("class_uid").asInt() == 1007
                && e.path("process").path("cmd_line").asText().equals("/bin/true " + marker)).toList();
    }

    private static List<JsonNode> siemOutput(PrivateDockerd docker, List<String> compose, Map<String, String> env)
            throws Exception {
        PrivateDockerd.Result r = docker.run(with(compose, "exec", "-T", "siem", "cat", "/var/lib/twinlane-siem/ocsf.jsonl"),
                env, COMPOSE);
        List<JsonNode> events = new ArrayList<>();
        if (r.exit() == 0) {
            for (String line : r.output().lines().toList()) {
                if (line.startsWith("{") && line.endsWith("}")) {
                    events.add(JSON.readTree(line));
                }
            }
        }
        return events;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void await(String what, int seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + seconds + " s");
            }
            Thread.sleep(1000);
        }
    }

    private static void time(String what, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        System.out.printf("compose: %s took %.0f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    private static void ensure(String command, String arg) throws Exception {
        Process p = new ProcessBuilder(command, arg).directory(Prometheus.repoRoot().toFile()).inheritIO().start();
        assertEquals(0, p.waitFor(), command + " " + arg);
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
