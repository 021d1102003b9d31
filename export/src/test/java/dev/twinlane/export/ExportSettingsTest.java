package dev.twinlane.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The exporter's settings: each problem one line, the client map reaches the producer. */
class ExportSettingsTest {
    @Test
    void settingsProblemsAreOneLineEach() throws Exception {
        ExportSettings s = new ExportSettings();
        assertEquals(List.of("kafka.bootstrap_servers: required (HOST:PORT[,HOST:PORT...])"), s.problems());
        s.bootstrapServers = "a:9092,b";
        s.sealsTopic = "bad topic";
        s.observabilityCompression = "gzip";
        s.client.put("acks", "1");
        s.client.put("security.protocol", "SASL_SSL");
        assertEquals(List.of("kafka.bootstrap_servers: 'b' is not HOST:PORT",
                "kafka.topics.seals: 'bad topic' is not a valid topic name",
                "kafka.observability_compression: must be lz4 or zstd, not 'gzip'",
                "kafka.client.acks: set by twinlane, cannot be overridden"), s.problems());
        s.bootstrapServers = "a:9092";
        s.sealsTopic = "s";
        s.observabilityCompression = "lz4";
        s.client.remove("acks");
        assertEquals(List.of(), s.problems());
        assertEquals("SASL_SSL", s.producer("c", "none").get("security.protocol"), "TLS/SASL settings reach the client");
        assertEquals("all", s.producer("c", "none").get("acks"));

        s.access.user = "twinlane";
        s.access.passwordFile = java.nio.file.Path.of("/nonexistent/password");
        assertEquals(List.of("kafka.client.security.protocol: set by kafka.tls and kafka.sasl; give one or the other",
                "kafka.sasl.password_file: cannot read /nonexistent/password"), s.problems());
    }
}
