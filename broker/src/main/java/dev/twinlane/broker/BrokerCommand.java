package dev.twinlane.broker;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Port;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./twinlane broker}: declared here so that the broker's own entry point ({@link #main}) needs no agent. */
@Command(name = "broker", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Runs a real single-node Kafka broker (KRaft) in the foreground, for demos and tests,"
                + " until Ctrl-C or SIGTERM (a controlled shutdown).")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", converter = Port.class, defaultValue = "9092",
            description = "the port it listens on, on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "Kafka's log directory and settings go there")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        return Launch.foreground(port, dataDir);
    }

    public static void main(String[] args) {
        System.exit(Cli.standalone(new BrokerCommand(), args));
    }
}
