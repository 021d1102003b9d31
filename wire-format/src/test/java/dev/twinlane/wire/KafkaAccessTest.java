package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaAccessTest {
    @TempDir
    Path tmp;

    private Path secret(String name, String text) throws IOException {
        Path f = Files.writeString(tmp.resolve(name), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void tlsAndScramBecomeClientPropertiesWithThePasswordReadEachTime() throws IOException {
        KafkaAccess a = new KafkaAccess();
        a.caFile = Files.writeString(tmp.resolve("ca.pem"), "pem");
        a.user = "twinlane";
        a.passwordFile = secret("pw", "pa\"ss\\word\nignored\n");
        assertEquals(List.of(), a.problems(id -> id));
        Map<String, String> p = a.properties();
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("PEM", p.get("ssl.truststore.type"));
        assertEquals(a.caFile.toString(), p.get("ssl.truststore.location"));
        assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"twinlane\""
                + " password=\"pa\\\"ss\\\\word\";", p.get("sasl.jaas.config"));
        Files.writeString(a.passwordFile, "fixed\n");
        assertTrue(a.properties().get("sasl.jaas.config").contains("password=\"fixed\""), "read again");
        assertTrue(KafkaAccess.KEYS.containsAll(p.keySet()));
    }

    @Test
    void problemsAreOneLineEachInTheCallersNames() throws IOException {
        KafkaAccess a = new KafkaAccess();
        a.user = "u";
        a.passwordFile = Files.writeString(tmp.resolve("open"), "pw\n");
        a.certFile = a.passwordFile;
        assertEquals(List.of("K:key_file: a client certificate needs both K:cert_file and K:key_file",
                "K:password_file: " + a.passwordFile + " is readable by group or others; chmod 600 it"),
                a.problems(id -> "K:" + id));
        assertThrows(IOException.class, a::properties);
    }

    @Test
    void clearTextOffThisHostIsWarnedLoopbackAndTlsAreNot() {
        KafkaAccess a = new KafkaAccess();
        assertNull(a.clearTextWarning("127.0.0.1:9092,localhost:9093,[::1]:9094", Map.of()));
        assertEquals("10.1.2.3:9092 is not on this host and the connection is PLAINTEXT: security telemetry crosses"
                + " the network in clear text (give a CA file for TLS)",
                a.clearTextWarning("127.0.0.1:9092,10.1.2.3:9092", Map.of()));
        assertNull(a.clearTextWarning("10.1.2.3:9092", Map.of("security.protocol", "SSL")));
        a.caFile = tmp;
        assertNull(a.clearTextWarning("10.1.2.3:9092", Map.of()));
    }
}
