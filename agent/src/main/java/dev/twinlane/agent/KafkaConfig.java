package dev.twinlane.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.twinlane.cli.UsageException;
import dev.twinlane.export.ExportSettings;

/**
 * The configuration file's {@code kafka:} section (export/README.md) and `run --kafka HOST:PORT`.
 * No section and no --kafka: nothing is exported.
 *
 * <pre>
 * kafka:
 *   bootstrap_servers: "broker1:9093,broker2:9093"
 *   host_id: web-7                 # message key; default: the host id in the log's GENESIS
 *   topics: {security: twinlane.security, seals: twinlane.seals, observability: twinlane.observability}
 *   observability: true            # export the observability batches too
 *   observability_compression: zstd   # or lz4
 *   security_compression: none
 *   create_topics: true
 *   partitions: 1
 *   replication_factor: -1         # the broker's default
 *   retry_backoff_ms: 250          # first back-off after a failure, doubling ...
 *   retry_backoff_max_ms: 10000    # ... up to this
 *   delivery_timeout_ms: 30000     # the producer's bounded retries per record
 *   client:                        # passed to the Kafka clients as is (TLS, SASL)
 *     security.protocol: SASL_SSL
 *     sasl.mechanism: SCRAM-SHA-512
 *     sasl.jaas.config: ...
 *     ssl.truststore.location: /etc/twinlane/kafka-ca.p12
 * </pre>
 */
final class KafkaConfig {
    private KafkaConfig() {
    }

    /** The section as settings (null when absent); problems go to {@code errors}, one line each. */
    static ExportSettings read(Object node, List<String> errors) {
        if (!(node instanceof Map)) {
            return null; // absent, or not a mapping (reported by the section reader)
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) node;
        ConfigReader k = new ConfigReader("kafka", map, errors);
        ExportSettings s = new ExportSettings();
        s.bootstrapServers = k.text("bootstrap_servers", null);
        s.hostId = k.text("host_id", null);
        ConfigReader t = k.section("topics");
        s.securityTopic = t.text("security", s.securityTopic);
        s.sealsTopic = t.text("seals", s.sealsTopic);
        s.observabilityTopic = t.text("observability", s.observabilityTopic);
        t.rejectUnknown();
        s.exportObservability = k.flag("observability", true);
        s.observabilityCompression = k.text("observability_compression", s.observabilityCompression);
        s.securityCompression = k.text("security_compression", s.securityCompression);
        s.createTopics = k.flag("create_topics", true);
        s.partitions = (int) k.number("partitions", 1, 1, 10_000);
        s.replicationFactor = (short) k.number("replication_factor", -1, -1, 32);
        s.retryBackoff = Duration.ofMillis(k.number("retry_backoff_ms", 250, 10, 600_000));
        s.retryBackoffMax = Duration.ofMillis(k.number("retry_backoff_max_ms", 10_000, 10, 3_600_000));
        s.deliveryTimeout = Duration.ofMillis(k.number("delivery_timeout_ms", 30_000, 1_000, 3_600_000));
        k.section("client"); // read below, as a plain mapping
        Object client = map.get("client");
        if (client instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) client).entrySet()) {
                Object v = e.getValue();
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    s.client.put(String.valueOf(e.getKey()), String.valueOf(v));
                } else {
                    errors.add("kafka.client." + e.getKey() + ": must be a single value");
                }
            }
        }
        k.rejectUnknown();
        errors.addAll(s.problems());
        return s;
    }

    /** `run --kafka HOST:PORT`: the bootstrap servers, over the file's if it has a section. */
    static ExportSettings bootstrap(ExportSettings fromFile, String servers) throws UsageException {
        ExportSettings s = fromFile != null ? fromFile : new ExportSettings();
        s.bootstrapServers = servers;
        List<String> p = s.problems();
        if (!p.isEmpty()) {
            throw new UsageException("--kafka: " + String.join("; ", p));
        }
        return s;
    }
}
