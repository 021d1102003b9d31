package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Debian's prometheus and promtool for tests: installed by scripts/ensure-deps, a server on a loopback port. */
final class Prometheus implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final int port;

    private Prometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Installs prometheus (and promtool) through apt when missing, as CI on a fresh machine needs. */
    static void ensureInstalled() throws IOException, InterruptedException {
        Process deps = new ProcessBuilder(repoRoot().resolve("scripts/ensure-deps").toString(), "prometheus")
                .inheritIO().start();
        assertEquals(0, deps.waitFor(), "scripts/ensure-deps prometheus");
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/ensure-deps"))) {
            p = p.getParent();
        }
        return p;
    }

    /** A loopback port free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a server with its own storage under {@code dir}, scraping {@code target} every second. */
    static Prometheus start(Path dir, String target, Path rules) throws IOException {
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                + "rule_files: ['" + rules + "']\n"
                + "scrape_configs:\n  - job_name: twinlane\n    static_configs: [{targets: ['" + target + "']}]\n");
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new Prometheus(p, port);
    }

    /** GET /api/v1/PATH's data, or null while the server does not answer yet. */
    JsonNode api(String pathAndQuery) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/"
                    + pathAndQuery)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = new ObjectMapper().readTree(r.body());
            return "success".equals(body.path("status").asText()) ? body.get("data") : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The value of an instant query with one result, or NaN when it has none (yet). */
    double query(String promql) throws InterruptedException {
        JsonNode data = api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (data == null || data.get("result").size() != 1) {
            return Double.NaN;
        }
        return Double.parseDouble(data.get("result").get(0).get("value").get(1).asText());
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
