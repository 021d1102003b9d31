package dev.twinlane.siem;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Durations;
import dev.twinlane.cli.KafkaAccessOptions;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./twinlane siem}: declared here so that the SIEM's own entry point ({@link #main}) needs no
 * agent. Exit status: 0; with --idle-exit, 1 when any chain problem was flagged.
 */
@Command(name = "siem", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "A SIEM-side consumer: reads the security and seals topics, re-verifies every host's"
                + " chain and seals, drops duplicates, flags gaps and tampering, writes OCSF JSON lines.",
        footer = "Exit status: 0; with --idle-exit, 1 when any chain problem was flagged.")
public final class Siem implements Callable<Integer> {
    /** The alerts that mean a chain or checkpoint problem (exit 1 with --idle-exit), not a reported loss. */
    public static final Set<String> PROBLEMS = Set.of("modified", "missing", "inserted", "wrong-key", "truncated", "unreadable",
            "bad-checkpoint", "checkpoint-smaller", "checkpoint-fork", "checkpoint-inconsistent");

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "the Kafka broker to read from")
    String bootstrap;

    @Option(names = "--key", paramLabel = "FILE",
            description = "the log's HMAC key file, to check every MAC (repeatable); without one, links and seals only")
    List<Path> keyFiles = new ArrayList<>();

    @Option(names = "--seal-key", paramLabel = "PUBFILE",
            description = "check seals with this Ed25519 public key instead of the one each log names")
    Path sealPublicKey;

    @Option(names = "--witness-state", paramLabel = "FILE", defaultValue = "/var/lib/twinlane-siem/witness.state",
            description = "where the latest checkpoint accepted from each host's log is kept across restarts"
                    + " (default: ${DEFAULT-VALUE}; see siem/README.md)")
    Path witnessState;

    @Option(names = "--out", paramLabel = "FILE", description = "append the OCSF JSON lines here (default: stdout)")
    Path outFile;

    @Option(names = "--group", paramLabel = "ID", defaultValue = "twinlane-siem",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--idle-exit", paramLabel = "DURATION", converter = Durations.Any.class,
            description = "stop after this long without a message (30 s at least before the first), e.g. 30s")
    Duration idleExit;

    @Mixin
    KafkaAccessOptions kafkaAccess = new KafkaAccessOptions();

    @Option(names = "--client-properties", paramLabel = "FILE",
            description = "other Kafka client settings (a .properties file)")
    Path clientProperties;

    @Option(names = "--security-topic", paramLabel = "TOPIC", defaultValue = "twinlane.security",
            description = "the topic of security log records (default: ${DEFAULT-VALUE})")
    String securityTopic;

    @Option(names = "--seals-topic", paramLabel = "TOPIC", defaultValue = "twinlane.seals",
            description = "the topic of seals (default: ${DEFAULT-VALUE})")
    String sealsTopic;

    @Override
    public Integer call() throws IOException, UsageException {
        SiemConsumer.Options o = options();
        OutputStream out = outFile == null ? System.out : new FileOutputStream(outFile.toFile(), true);
        SiemConsumer c = new SiemConsumer(o, out); // it gathers the lines itself: no buffer or Writer between
        Thread hook = new Thread(c::stop, "twinlane-siem-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        SiemConsumer.Stats stats;
        try {
            System.err.println("twinlane siem: consuming " + o.securityTopic + " and " + o.sealsTopic + " from "
                    + o.bootstrap + " as group " + o.group + "; chain check: "
                    + (o.keyFiles.isEmpty() ? "links and seals (no HMAC key given)" : "every MAC")
                    + (o.sealPublicKey == null ? ", seals with the key each log names" : ", seals with " + o.sealPublicKey)
                    + "; connection " + o.client.getOrDefault("security.protocol", o.access.protocol()));
            String clearText = o.access.clearTextWarning(o.bootstrap, o.client);
            if (clearText != null) {
                System.err.println("twinlane siem: warning: " + clearText + " (--kafka-ca)");
            }
            stats = c.run();
        } finally {
            c.close();
            if (outFile != null) {
                out.close();
            } else {
                out.flush();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // stopping through the hook
            }
        }
        System.err.println("twinlane siem: " + stats);
        if (o.idleExit != null) {
            for (String p : PROBLEMS) {
                if (stats.alerts(p) > 0) {
                    return 1;
                }
            }
        }
        return 0;
    }

    private SiemConsumer.Options options() throws IOException, UsageException {
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.bootstrap = bootstrap;
        o.keyFiles.addAll(keyFiles);
        o.sealPublicKey = sealPublicKey;
        o.witnessState = witnessState;
        o.group = group;
        o.idleExit = idleExit;
        o.securityTopic = securityTopic;
        o.sealsTopic = sealsTopic;
        if (clientProperties != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(clientProperties)) {
                p.load(in);
            }
            p.forEach((k, val) -> o.client.put(k.toString(), val.toString()));
        }
        o.access.caFile = kafkaAccess.caFile;
        o.access.certFile = kafkaAccess.certFile;
        o.access.keyFile = kafkaAccess.keyFile;
        o.access.user = kafkaAccess.user;
        o.access.passwordFile = kafkaAccess.passwordFile;
        java.util.List<String> problems = new ArrayList<>(o.access.problems(KafkaAccessOptions::flag));
        for (String k : o.client.keySet()) {
            if (o.access.configured() && dev.twinlane.wire.KafkaAccess.KEYS.contains(k)) {
                problems.add("--client-properties: " + k + " is set by the --kafka-* options; give one or the other");
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("; ", problems));
        }
        return o;
    }

    public static void main(String[] args) {
        System.exit(Cli.standalone(new Siem(), args));
    }
}
