package dev.twinlane.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Port;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./twinlane broker}: declared here so that the broker's own entry point ({@link #main}) needs no agent. */
@Command(name = "broker", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Runs a real single-node Kafka broker (KRaft) in the foreground, for demos and tests,"
                + " until Ctrl-C or SIGTERM (a controlled shutdown). With --tls-dir it also serves a SASL_SSL"
                + " listener (TLS + SCRAM-SHA-512; see docs/KAFKA-TLS.md).")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", converter = Port.class, defaultValue = "9092",
            description = "the PLAINTEXT listener's port, on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "Kafka's log directory and settings go there")
    Path dataDir;

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "serve SASL_SSL too, with the CA and broker certificate in DIR (made on first use:"
                    + " ca.pem is what clients trust)")
    Path tlsDir;

    @Option(names = "--tls-port", paramLabel = "PORT", converter = Port.class, defaultValue = "9093",
            description = "the SASL_SSL listener's port, on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int tlsPort;

    @Option(names = "--scram-user", paramLabel = "NAME", defaultValue = "twinlane",
            description = "the SCRAM-SHA-512 user clients log in as (default: ${DEFAULT-VALUE})")
    String scramUser;

    @Option(names = "--scram-password-file", paramLabel = "FILE",
            description = "its password, the file's first line (mode 600); read when DIR is formatted, fixed after")
    Path scramPasswordFile;

    @Option(names = "--no-plaintext", negatable = false,
            description = "no PLAINTEXT listener: clients reach the broker over SASL_SSL only")
    boolean noPlaintext;

    @Override
    public Integer call() throws Exception {
        return Launch.foreground(settings());
    }

    KafkaBroker.Settings settings() throws UsageException {
        KafkaBroker.Settings s = new KafkaBroker.Settings().port(port).dataDir(dataDir).plaintext(!noPlaintext);
        if (tlsDir == null) {
            if (noPlaintext || scramPasswordFile != null) {
                throw new UsageException((noPlaintext ? "--no-plaintext" : "--scram-password-file") + " needs --tls-dir DIR");
            }
            return s;
        }
        if (scramPasswordFile == null) {
            throw new UsageException("--tls-dir needs --scram-password-file FILE (the SCRAM user's password)");
        }
        if (!Files.isReadable(scramPasswordFile)) {
            throw new UsageException("--scram-password-file: cannot read " + scramPasswordFile);
        }
        if (!noPlaintext && tlsPort == port) {
            throw new UsageException("--tls-port and --port are both " + port);
        }
        try {
            BrokerScram.checkUser(scramUser);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--scram-user: " + e.getMessage());
        }
        return s.saslSsl(tlsDir, tlsPort, scramUser, scramPasswordFile);
    }

    public static void main(String[] args) {
        System.exit(Cli.standalone(new BrokerCommand(), args));
    }
}
