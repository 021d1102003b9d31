package dev.twinlane.agent;

import java.nio.file.Path;
import java.util.Set;

import dev.twinlane.broker.Launch;

/** `twinlane broker --port PORT --data-dir DIR`: a real single-node Kafka (KRaft) in the foreground. */
final class BrokerCommand implements Command {
    public String name() {
        return "broker";
    }

    public String summary() {
        return "run a local single-node Kafka broker (KRaft) in the foreground --port 9092 --data-dir DIR";
    }

    public int run(String[] args) throws Exception {
        Options o = Options.parse(args, Set.of("port", "data-dir"), Set.of());
        if (!o.has("data-dir")) {
            throw new UsageException("--data-dir DIR is required (Kafka's log directory and settings go there)");
        }
        int port = o.integer("port", 9092);
        if (port < 1 || port > 65535) {
            throw new UsageException("--port wants 1..65535, not " + port);
        }
        return Launch.foreground(port, Path.of(o.get("data-dir", null)));
    }
}
