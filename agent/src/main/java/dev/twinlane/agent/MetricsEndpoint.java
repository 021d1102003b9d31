package dev.twinlane.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.twinlane.cli.UsageException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * GET /metrics: the registry in Prometheus's text format, on the JDK's own HTTP server (one
 * daemon thread; a scrape reads the meters, nothing on the record path waits for it). Off unless
 * asked for (run --metrics or the metrics: section): see docs/METRICS.md.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/metrics";
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsEndpoint(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /** Listens before anything is loaded: a port that is taken refuses the start (exit 2), nothing runs. */
    static MetricsEndpoint start(InetSocketAddress listen, PrometheusMeterRegistry registry) throws UsageException {
        HttpServer server;
        try {
            server = HttpServer.create(listen, 16);
        } catch (IOException e) {
            throw new UsageException("metrics: cannot listen on " + show(listen) + ": " + e.getMessage());
        }
        server.createContext(PATH, exchange -> serve(exchange, registry));
        ExecutorService thread = DaemonThreads.scheduler("metrics-http");
        server.setExecutor(thread);
        server.start();
        return new MetricsEndpoint(server, thread);
    }

    private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = registry.scrape(TEXT_FORMAT).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", TEXT_FORMAT);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The address actually bound (port 0 picks a free one). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }

    static String show(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * HOST:PORT, [IPv6]:PORT: an address of this host to listen on (a name is resolved now). Port
     * 0 lets the kernel choose (tests).
     */
    static InetSocketAddress parse(String v) {
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? "" : v.substring(0, colon);
        String port = colon < 0 ? "" : v.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";   // a bare IPv6 address: its port is ambiguous
        }
        if (host.isEmpty() || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("wants HOST:PORT to listen on, e.g. 127.0.0.1:9464 or [::1]:9464,"
                    + " not '" + v + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("wants HOST:PORT to listen on; '" + host + "' is not an address of"
                    + " this host nor a name that resolves");
        }
    }

    /** run --metrics's converter. */
    static final class Listen implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String v) {
            try {
                return parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
