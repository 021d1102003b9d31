package dev.twinlane.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client of the running agent's {@link ControlServer}, for the `twinlane policy` commands:
 * one request per connection, one reply. A reply says ok or not and one line (the agent has
 * already recorded it as a policy event); show and status carry more fields.
 */
final class AgentControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The agent's answer: ok, its line, and the whole reply (show: version, mode, text; status: lines). */
    record Reply(boolean ok, String message, JsonNode body) {
    }

    private final Path socket;

    AgentControl(Path socket) {
        this.socket = socket;
    }

    static AgentControl local() {
        return new AgentControl(ControlServer.DEFAULT_PATH);
    }

    /** Applies a policy file or bundle (the agent reads it: the path is made absolute here). */
    Reply apply(Path policy, boolean requireSignature) throws IOException {
        return send(request("apply").put("path", policy.toAbsolutePath().toString())
                .put("requireSignature", requireSignature));
    }

    Reply show() throws IOException {
        return send(request("show"));
    }

    Reply rollback() throws IOException {
        return send(request("rollback"));
    }

    /** audit or enforce; enforce to audit needs a break-glass token, null otherwise. */
    Reply mode(String mode, String token) throws IOException {
        ObjectNode r = request("mode").put("mode", mode);
        if (token != null) {
            r.put("token", token);
        }
        return send(r);
    }

    Reply status() throws IOException {
        return send(request("status"));
    }

    private static ObjectNode request(String op) {
        return JSON.createObjectNode().put("op", op);
    }

    private Reply send(ObjectNode request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (c.read(buf) >= 0) {
                in.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            JsonNode reply = JSON.readTree(in.toString(StandardCharsets.UTF_8));
            if (reply == null || !reply.has("ok")) {
                throw new IOException("the agent on " + socket + " sent no reply");
            }
            return new Reply(reply.path("ok").asBoolean(), reply.path("message").asText(""), reply);
        } catch (java.net.SocketException e) {
            throw new IOException("no agent answers on " + socket + " (" + e.getMessage() + "); is `twinlane run`"
                    + " running with a policy: section in its configuration?", e);
        }
    }
}
