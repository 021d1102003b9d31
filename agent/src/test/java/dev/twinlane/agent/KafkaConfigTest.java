package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.KafkaAccessOptions;
import dev.twinlane.cli.UsageException;
import dev.twinlane.export.ExportSettings;

/** The kafka: section and run --kafka. */
class KafkaConfigTest {
    @TempDir
    Path tmp;

    private AgentConfig load(String yaml) throws Exception {
        return AgentConfig.load(Files.writeString(tmp.resolve("twinlane.yaml"), yaml));
    }

    @Test
    void theSectionIsReadWithTlsAndSaslPassedThrough() throws Exception {
        ExportSettings k = load("""
                kafka:
                  bootstrap_servers: "k1:9093,k2:9093"
                  host_id: web-7
                  topics: {security: sec, seals: sl, observability: obs}
                  observability_compression: lz4
                  retry_backoff_max_ms: 5000
                  client:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    ssl.truststore.location: /etc/twinlane/ca.p12
                    request.timeout.ms: 20000
                """).kafka;
        assertEquals("k1:9093,k2:9093", k.bootstrapServers);
        assertEquals("web-7", k.hostId);
        assertEquals("sec", k.securityTopic);
        assertEquals("sl", k.sealsTopic);
        assertEquals("obs", k.observabilityTopic);
        assertEquals("lz4", k.observabilityCompression);
        assertEquals(Duration.ofSeconds(5), k.retryBackoffMax);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/etc/twinlane/ca.p12", "request.timeout.ms", "20000"), k.client);
    }

    @Test
    void noSectionNoExportAndBadValuesAreOneLineEach() throws Exception {
        assertNull(load("mode: audit\n").kafka);
        UsageException e = assertThrows(UsageException.class, () -> load("""
                kafka:
                  bootstrap_servers: nohostport
                  observability_compression: snappy
                  partitions: 0
                  colour: blue
                  client:
                    acks: "1"
                """));
        assertEquals("config " + tmp.resolve("twinlane.yaml") + ": kafka.partitions: must be a whole number from 1 to 10000,"
                + " not '0'; kafka.colour: unknown key; kafka.bootstrap_servers: 'nohostport' is not HOST:PORT;"
                + " kafka.observability_compression: must be lz4 or zstd, not 'snappy';"
                + " kafka.client.acks: set by twinlane, cannot be overridden", e.getMessage());
    }

    @Test
    void runKafkaSetsTheBootstrapServers() throws Exception {
        assertEquals("127.0.0.1:9092", KafkaConfig.options(null, "127.0.0.1:9092", new KafkaAccessOptions()).bootstrapServers);
        assertThrows(UsageException.class, () -> KafkaConfig.options(null, "localhost", new KafkaAccessOptions()));
    }

    @Test
    void tlsAndSaslFromTheFileAndTheOptionsOverThem() throws Exception {
        Path ca = Files.writeString(tmp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path pw = Files.writeString(tmp.resolve("pw"), "s3cret\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ExportSettings k = load("kafka:\n  bootstrap_servers: \"k1:9093\"\n  tls: {ca_file: " + ca + "}\n"
                + "  sasl: {user: twinlane, password_file: " + pw + "}\n").kafka;
        assertEquals(ca, k.access.caFile);
        assertEquals("SASL_SSL", k.access.protocol());
        KafkaAccessOptions o = new KafkaAccessOptions();
        o.user = "other";
        assertEquals("other", KafkaConfig.options(k, null, o).access.user, "an option over the file");
        assertEquals("k1:9093", k.bootstrapServers, "no --kafka: the file's servers");

        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        UsageException open = assertThrows(UsageException.class, () -> load("kafka:\n  bootstrap_servers: \"k1:9093\"\n"
                + "  sasl: {user: twinlane, password_file: " + pw + "}\n"));
        assertEquals("config " + tmp.resolve("twinlane.yaml") + ": kafka.sasl.password_file: " + pw
                + " is readable by group or others; chmod 600 it", open.getMessage());
        KafkaAccessOptions caOnly = new KafkaAccessOptions();
        caOnly.caFile = ca;
        assertEquals("--kafka-ca needs --kafka HOST:PORT or a kafka: section in the configuration file",
                assertThrows(UsageException.class, () -> KafkaConfig.options(null, null, caOnly)).getMessage());
    }
}
