package dev.twinlane.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.twinlane.cli.KafkaAccessOptions;
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
 *   tls: {ca_file: /etc/twinlane/kafka-ca.pem, cert_file: ..., key_file: ...}   # TLS (docs/KAFKA-TLS.md)
 *   sasl: {user: twinlane, password_file: /etc/twinlane/kafka.password}        # SCRAM-SHA-512
 *   client:                        # other Kafka client properties, passed as is
 *     client.dns.lookup: use_all_dns_ips
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
        ConfigReader tls = k.section("tls");
        s.access.caFile = path(tls.text("ca_file", null));
        s.access.certFile = path(tls.text("cert_file", null));
        s.access.keyFile = path(tls.text("key_file", null));
        tls.rejectUnknown();
        ConfigReader sasl = k.section("sasl");
        s.access.user = sasl.text("user", null);
        s.access.passwordFile = path(sasl.text("password_file", null));
        sasl.rejectUnknown();
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

    private static Path path(String text) {
        return text == null ? null : Path.of(text);
    }

    /**
     * `run --kafka HOST:PORT` and the --kafka-* TLS and SCRAM options, over the file's section if
     * it has one (servers may be null: the file's).
     */
    static ExportSettings options(ExportSettings fromFile, String servers, KafkaAccessOptions o) throws UsageException {
        if (fromFile == null && servers == null) {
            throw new UsageException(KafkaAccessOptions.flag(o.caFile != null ? "ca_file" : o.user != null ? "user"
                    : o.passwordFile != null ? "password_file" : o.certFile != null ? "cert_file" : "key_file")
                    + " needs --kafka HOST:PORT or a kafka: section in the configuration file");
        }
        ExportSettings s = fromFile != null ? fromFile : new ExportSettings();
        if (servers != null) {
            s.bootstrapServers = servers;
        }
        s.access.caFile = o.caFile != null ? o.caFile : s.access.caFile;
        s.access.certFile = o.certFile != null ? o.certFile : s.access.certFile;
        s.access.keyFile = o.keyFile != null ? o.keyFile : s.access.keyFile;
        s.access.user = o.user != null ? o.user : s.access.user;
        s.access.passwordFile = o.passwordFile != null ? o.passwordFile : s.access.passwordFile;
        List<String> p = s.problems(id -> given(o, id) ? KafkaAccessOptions.flag(id) : ExportSettings.accessKey(id));
        if (!p.isEmpty()) {
            String all = String.join("; ", p);
            throw new UsageException(servers == null ? all : all.replace("kafka.bootstrap_servers:", "--kafka:"));
        }
        return s;
    }

    private static boolean given(KafkaAccessOptions o, String id) {
        switch (id) {
            case "ca_file":
                return o.caFile != null;
            case "cert_file":
                return o.certFile != null;
            case "key_file":
                return o.keyFile != null;
            case "user":
                return o.user != null;
            default:
                return o.passwordFile != null;
        }
    }
}
