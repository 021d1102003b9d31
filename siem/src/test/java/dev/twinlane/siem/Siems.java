package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.export.LogExporter;
import dev.twinlane.wire.ocsf.OcsfValidator;

/** Test helpers: run the SIEM consumer to the end of the topics, wait for an exporter. */
final class Siems {
    static final ObjectMapper JSON = new ObjectMapper();
    static final OcsfValidator OCSF = OcsfValidator.vendored();

    record Run(SiemConsumer.Stats stats, List<JsonNode> events, List<JsonNode> alerts) {
        /** Alerts as "host seq failure" strings. */
        List<String> alertKeys() {
            List<String> out = new ArrayList<>();
            for (JsonNode a : alerts) {
                JsonNode al = a.path("unmapped").path("alert");
                out.add(al.path("host").asText() + " " + al.path("seq").asLong() + " " + al.path("failure").asText());
            }
            return out;
        }
    }

    private Siems() {
    }

    /**
     * Consumes {@code prefix}.security and .seals until 3 s without messages; every output line
     * parsed and checked against the OCSF 1.8.0 schema (events and Detection Findings alike).
     */
    static Run consume(String bootstrap, String prefix, String group, List<Path> keys, Path sealPub, Path outFile)
            throws IOException {
        return consume(bootstrap, prefix, group, keys, sealPub, outFile, null);
    }

    /** The same, with the witness's state kept in {@code witnessState}. */
    static Run consume(String bootstrap, String prefix, String group, List<Path> keys, Path sealPub, Path outFile,
                       Path witnessState) throws IOException {
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.witnessState = witnessState;
        o.bootstrap = bootstrap;
        o.group = group;
        o.securityTopic = prefix + ".security";
        o.sealsTopic = prefix + ".seals";
        o.keyFiles.addAll(keys);
        o.sealPublicKey = sealPub;
        o.idleExit = Duration.ofSeconds(3);
        SiemConsumer.Stats stats;
        try (Writer w = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8);
                SiemConsumer c = new SiemConsumer(o, w)) {
            stats = c.run();
        }
        return read(stats, outFile);
    }

    /** What a consumer wrote, every line checked against the OCSF 1.8.0 schema. */
    static Run read(SiemConsumer.Stats stats, Path outFile) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(outFile, StandardCharsets.UTF_8)) {
            JsonNode n = JSON.readTree(line);
            OCSF.assertValid(n);
            if (n.path("class_uid").asInt() == 2004) {
                alerts.add(n);
            } else {
                events.add(n);
            }
        }
        System.out.println("OCSF 1.8.0: " + events.size() + " events and " + alerts.size()
                + " Detection Findings the SIEM consumer wrote are valid");
        return new Run(stats, events, alerts);
    }

    /** Checks the OCSF event of every security-topic message that has one; returns how many. */
    static int exportedEventsValid(Iterable<JsonNode> messages) {
        int n = 0;
        for (JsonNode m : messages) {
            JsonNode e = m.get("event");
            if (e != null && !e.isNull()) {
                OCSF.assertValid(e);
                n++;
            }
        }
        System.out.println("OCSF 1.8.0: " + n + " events the exporter shipped are valid");
        return n;
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** Until everything the host's log holds (made durable now) is acknowledged by Kafka. */
    static void drained(TestHost h, LogExporter e, Duration timeout) throws InterruptedException {
        h.log.syncNow();
        await(h.id + " exported", timeout, () -> {
            long durable = h.log.syncNow();
            return durable == h.log.appendedSeq() && e.ackedSeq() >= durable;
        });
    }
}
