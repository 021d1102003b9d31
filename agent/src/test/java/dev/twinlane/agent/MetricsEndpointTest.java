package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.UsageException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The metrics endpoint's settings and refusals: off by default; `--metrics` and `metrics: {listen:}`
 * take HOST:PORT; a bad value or a port in use is one line and exit 2, before anything starts.
 */
class MetricsEndpointTest {
    @TempDir
    Path tmp;

    @Test
    void offByDefault() throws Exception {
        assertNull(RunCommand.parse().config().metricsListen);
        assertNull(AgentConfig.load(Files.writeString(tmp.resolve("c.yaml"), "mode: audit\n")).metricsListen);
    }

    @Test
    void optionAndConfigTakeHostAndPort() throws Exception {
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), RunCommand.parse("--metrics", "127.0.0.1:9464").config()
                .metricsListen);
        assertEquals(new InetSocketAddress("::1", 9464), RunCommand.parse("--metrics", "[::1]:9464").config()
                .metricsListen);
        Path file = Files.writeString(tmp.resolve("c.yaml"), "metrics: {listen: 127.0.0.1:9465}\n");
        assertEquals(9465, AgentConfig.load(file).metricsListen.getPort());
        // the option overrides the file
        assertEquals(9466, RunCommand.parse("--config", file.toString(), "--metrics", "127.0.0.1:9466").config()
                .metricsListen.getPort());
    }

    @Test
    void badValuesAreOneLineAndExit2() throws Exception {
        for (String bad : new String[] {"9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "::1:9464",
                "no-such-host.invalid:9464", "127.0.0.1:94x"}) {
            Console c = Console.run("run", "--metrics", bad, "--data-dir", tmp.resolve("d").toString());
            assertEquals(2, c.code(), bad + ": " + c);
            assertEquals(1, c.err().lines().count(), c.err());
            assertTrue(c.err().startsWith("twinlane run: --metrics") && c.err().contains("HOST:PORT"), c.err());
        }
        Path file = Files.writeString(tmp.resolve("c.yaml"), "metrics: {listen: localhost}\n");
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(file));
        assertTrue(e.getMessage().contains("metrics.listen") && e.getMessage().contains("HOST:PORT"), e.getMessage());
        Path unknown = Files.writeString(tmp.resolve("u.yaml"), "metrics: {port: 9464}\n");
        assertTrue(assertThrows(UsageException.class, () -> AgentConfig.load(unknown)).getMessage().contains("port"));
        assertFalse(Files.exists(tmp.resolve("d")), "nothing was written");
    }

    @Test
    void aPortInUseRefusesTheStartBeforeAnythingIsWritten() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path data = tmp.resolve("data");
            Console c = Console.run("run", "--metrics", "127.0.0.1:" + taken.getLocalPort(), "--data-dir",
                    data.toString(), "--duration", "1s");
            System.out.print("port in use: exit " + c.code() + ": " + c.err());
            assertEquals(2, c.code(), c.toString());
            assertEquals(1, c.err().lines().count(), c.err());
            assertTrue(c.err().startsWith("twinlane run: metrics: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    c.err());
            assertFalse(Files.exists(data), "no log, no key was made");
        }
    }

    @Test
    void servesTheRegistryInPrometheusTextFormat() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long[] count = {41};
        FunctionCounter.builder("twinlane.lane.records", count, a -> a[0]).tag("lane", "security").register(registry);
        try (MetricsEndpoint e = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                registry)) {
            count[0]++;
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://" + MetricsEndpoint.show(e.address());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(r.body().contains("twinlane_lane_records_total{lane=\"security\"} 42.0"), r.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
