package dev.twinlane.agent;

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
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's {@code prometheus} as a child process on a loopback port, with its own storage, scraping
 * one target every second (job {@code twinlane}), and its HTTP API's instant queries.
 */
final class LocalPrometheus implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final int port;

    private LocalPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server with its storage and log under {@code dir}; {@code rules} may be null. */
    static LocalPrometheus start(Path dir, String target, Path rules) throws IOException {
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                + (rules == null ? "" : "rule_files: ['" + rules + "']\n")
                + "scrape_configs:\n  - job_name: twinlane\n    static_configs: [{targets: ['" + target + "']}]\n");
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new LocalPrometheus(p, port);
    }

    /** A server run by someone else (e.g. in a container) on 127.0.0.1:port: its API only, nothing to stop. */
    static LocalPrometheus at(int port) {
        return new LocalPrometheus(null, port);
    }

    /** A loopback port free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** GET /api/v1/PATH's data, or null while the server does not answer (yet) or answers an error. */
    JsonNode api(String pathAndQuery) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/" + pathAndQuery))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            return "success".equals(body.path("status").asText()) ? body.get("data") : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The instant query's whole answer (status, data or error), e.g. to see why a query fails. */
    JsonNode queryAnswer(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** The value of an instant query with one result, or NaN when it has none (yet). */
    double query(String promql) throws InterruptedException {
        JsonNode data = api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (data == null || data.get("result").size() != 1) {
            return Double.NaN;
        }
        return Double.parseDouble(data.get("result").get(0).get("value").get(1).asText());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
