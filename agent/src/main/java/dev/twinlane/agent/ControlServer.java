package dev.twinlane.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.twinlane.policy.Mode;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The agent's local control plane: a Unix domain socket (mode 0600, and the peer's user, from
 * SO_PEERCRED, must be the agent's) on which a CLI process sends one JSON request per
 * connection and reads one JSON reply line. Requests are served one at a time on the
 * "policy-control" thread; a client gets {@link #CLIENT_SECONDS} to send its line. The
 * protocol is in docs/POLICY.md ("Control socket"); {@link AgentControl} is the client.
 */
final class ControlServer implements AutoCloseable {
    static final Path DEFAULT_PATH = Path.of(System.getProperty("twinlane.control", "/run/twinlane/control.sock"));
    static final int MAX_REQUEST = 64 << 10;
    static final int CLIENT_SECONDS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final PolicyPlane plane;
    private final ServerSocketChannel server;
    private final ScheduledExecutorService timeouts = DaemonThreads.scheduler("policy-control-timeout");
    private final Thread thread;

    private ControlServer(Path path, PolicyPlane plane) throws IOException {
        this.path = path;
        this.plane = plane;
        Files.createDirectories(path.getParent());
        if (Files.exists(path)) {
            try (SocketChannel other = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new Pipeline.StartRefused("another agent answers on the control socket " + path
                        + " (set policy.control_socket to run a second one)");
            } catch (IOException stale) {
                Files.delete(path);   // left by an agent that was killed
            }
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        thread = new Thread(this::serve, "policy-control");
        thread.setDaemon(true);
    }

    static ControlServer start(Path path, PolicyPlane plane) throws IOException {
        ControlServer s = new ControlServer(path, plane);
        s.thread.start();
        return s;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                handle(c);
            } catch (ClosedChannelException e) {
                if (!server.isOpen()) {
                    return;   // stopped
                }
                System.err.println("twinlane policy: a control client did not send its request or read its reply within "
                        + CLIENT_SECONDS + " s");
            } catch (IOException | RuntimeException e) {
                System.err.println("twinlane policy: control request failed: " + e.getMessage());
            }
        }
    }

    private void handle(SocketChannel c) throws IOException {
        UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String me = System.getProperty("user.name");
        ObjectNode reply;
        if (!peer.user().getName().equals(me)) {
            reply = error("only " + me + " may use the control socket, not " + peer.user().getName());
        } else {
            // the client's time to send is bounded; the request's own time (an apply of many rules) is not
            ScheduledFuture<?> guard = timeouts.schedule(() -> closeQuietly(c), CLIENT_SECONDS, TimeUnit.SECONDS);
            String line;
            try {
                line = readLine(c);
            } finally {
                guard.cancel(false);
            }
            reply = line == null ? error("a request is one JSON object on one line, at most " + MAX_REQUEST + " bytes")
                    : answer(line);
        }
        ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8));
        ScheduledFuture<?> guard = timeouts.schedule(() -> closeQuietly(c), CLIENT_SECONDS, TimeUnit.SECONDS);
        try {   // a client that does not read its reply must not hold the socket for the next one
            while (out.hasRemaining()) {
                c.write(out);
            }
        } finally {
            guard.cancel(false);
        }
    }

    /** One request: {"op": "apply"|"show"|"rollback"|"mode"|"status", ...}. */
    ObjectNode answer(String line) {
        JsonNode req;
        try {
            req = JSON.readTree(line);
        } catch (IOException e) {
            return error("the request is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        String op = req.path("op").asText("");
        switch (op) {
            case "apply": {
                String file = req.path("path").asText("");
                if (!file.startsWith("/")) {
                    return error("apply wants an absolute \"path\", not '" + file + "'");
                }
                return result(plane.apply(Path.of(file), req.path("requireSignature").asBoolean(false)));
            }
            case "rollback":
                return result(plane.rollback());
            case "mode": {
                String m = req.path("mode").asText("");
                if (!m.equals("audit") && !m.equals("enforce")) {
                    return error("mode wants \"mode\": audit or enforce, not '" + m + "'");
                }
                JsonNode token = req.get("token");
                return result(plane.mode(m.equals("audit") ? Mode.AUDIT : Mode.ENFORCE,
                        token == null ? null : token.asText()));
            }
            case "show": {
                ObjectNode r = ok("policy version " + plane.version());
                r.put("version", plane.version()).put("mode", plane.mode().name().toLowerCase()).put("text", plane.text());
                return r;
            }
            case "status": {
                ObjectNode r = ok("policy version " + plane.version());
                plane.describe().forEach(r.putArray("lines")::add);
                return r;
            }
            default:
                return error("unknown op '" + op + "' (known: apply, mode, rollback, show, status)");
        }
    }

    private static ObjectNode result(PolicyPlane.Result r) {
        return r.ok() ? ok(r.message()) : error(r.message());
    }

    private static ObjectNode ok(String message) {
        return JSON.createObjectNode().put("ok", true).put("message", message);
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("ok", false).put("message", message);
    }

    /** Up to the first newline (or the end of the stream); null when longer than {@link #MAX_REQUEST}. */
    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        while (in.hasRemaining() && c.read(in) >= 0) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return in.hasRemaining() ? new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) : null;
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // the serving thread sees the channel closed
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        server.close();
        timeouts.shutdownNow();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }
}
