package dev.twinlane.export;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.twinlane.wire.KafkaAccess;
import dev.twinlane.wire.Topics;

/**
 * Where and how the logs go to Kafka. From `./twinlane run --kafka HOST:PORT` or the
 * configuration file's {@code kafka:} section (docs in export/README.md).
 */
public final class ExportSettings {
    /** Properties whose values this exporter owns for the security log: ordering and durability. */
    static final Set<String> FIXED = Set.of(ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
    public static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

    public String bootstrapServers;
    public String securityTopic = Topics.SECURITY;
    public String sealsTopic = Topics.SEALS;
    public String observabilityTopic = Topics.OBSERVABILITY;
    /** TLS and SCRAM (kafka.tls, kafka.sasl): files read again for each new producer. */
    public final KafkaAccess access = new KafkaAccess();
    /** Passed to every client as is: client.dns.lookup, ssl.* and sasl.* beyond {@link #access} ... */
    public final Map<String, String> client = new LinkedHashMap<>();
    public String securityCompression = "none";
    public String observabilityCompression = "zstd";
    public boolean exportObservability = true;
    /** Create missing topics at start (seals compacted); off where topics are managed elsewhere. */
    public boolean createTopics = true;
    public int partitions = 1;
    /** -1: the broker's default. */
    public short replicationFactor = -1;
    /** Where the cursors (last seq the broker acknowledged, per log) are kept. */
    public Path cursorDir;
    /** Message key; default the host id bound into the log's GENESIS record. */
    public String hostId;
    public Duration retryBackoff = Duration.ofMillis(250);
    public Duration retryBackoffMax = Duration.ofSeconds(10);
    public Duration deliveryTimeout = Duration.ofSeconds(30);
    public int lingerMs = 5;
    public int batchSize = 256 * 1024;
    /** How long close() waits for the broker to acknowledge what was sent. */
    public Duration closeTimeout = Duration.ofSeconds(5);

    public ExportSettings bootstrap(String servers) {
        this.bootstrapServers = servers;
        return this;
    }

    public ExportSettings cursorDir(Path dir) {
        this.cursorDir = dir;
        return this;
    }

    /** Problems as one line each; empty when usable. */
    public List<String> problems() {
        return problems(ExportSettings::accessKey);
    }

    /** The same, naming the TLS and SCRAM settings with {@code accessName} (e.g. the options they came from). */
    public List<String> problems(java.util.function.UnaryOperator<String> accessName) {
        List<String> p = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            p.add("kafka.bootstrap_servers: required (HOST:PORT[,HOST:PORT...])");
        } else {
            for (String hp : bootstrapServers.split(",")) {
                int c = hp.trim().lastIndexOf(':');
                if (c <= 0 || !hp.trim().substring(c + 1).matches("[0-9]{1,5}")) {
                    p.add("kafka.bootstrap_servers: '" + hp.trim() + "' is not HOST:PORT");
                }
            }
        }
        for (String[] t : new String[][] {{"security", securityTopic}, {"seals", sealsTopic},
                {"observability", observabilityTopic}}) {
            if (t[1] == null || !t[1].matches("[a-zA-Z0-9._-]{1,249}")) {
                p.add("kafka.topics." + t[0] + ": '" + t[1] + "' is not a valid topic name");
            }
        }
        if (!COMPRESSIONS.contains(securityCompression)) {
            p.add("kafka.security_compression: must be one of " + COMPRESSIONS + ", not '" + securityCompression + "'");
        }
        if (!Set.of("lz4", "zstd").contains(observabilityCompression)) {
            p.add("kafka.observability_compression: must be lz4 or zstd, not '" + observabilityCompression + "'");
        }
        for (String k : client.keySet()) {
            if (FIXED.contains(k)) {
                p.add("kafka.client." + k + ": set by twinlane, cannot be overridden");
            } else if (access.configured() && KafkaAccess.KEYS.contains(k)) {
                p.add("kafka.client." + k + ": set by kafka.tls and kafka.sasl; give one or the other");
            }
        }
        p.addAll(access.problems(accessName));
        return p;
    }

    /** The configuration key of a {@link KafkaAccess} setting. */
    public static String accessKey(String id) {
        return "kafka." + (id.equals("user") || id.equals("password_file") ? "sasl." : "tls.") + id;
    }

    /** One line when security telemetry would cross a network in clear text (see {@link KafkaAccess}); or null. */
    public String clearTextWarning() {
        return access.clearTextWarning(bootstrapServers, client);
    }

    /** Producer properties: our defaults, the pass-through client settings, then what must hold. */
    Properties producer(String clientId, String compression) throws IOException {
        Properties p = new Properties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchSize));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeout.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(10_000, deliveryTimeout.toMillis() / 2)));
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "1000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.putAll(client);
        p.putAll(access.properties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Admin client properties (topic creation). */
    Properties admin(String clientId) throws IOException {
        Properties p = new Properties();
        p.putAll(client);
        p.putAll(access.properties());
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        p.put("request.timeout.ms", "5000");
        p.put("default.api.timeout.ms", "10000");
        return p;
    }
}
