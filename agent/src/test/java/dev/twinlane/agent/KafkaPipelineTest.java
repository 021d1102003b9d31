package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.siem.SiemConsumer;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wire.ocsf.OcsfValidator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Real security events end to end: the whole pipeline on the host kernel (needs root) with
 * Kafka export to a real broker (own JVM, loopback, temporary directory), read back by the SIEM
 * consumer, which verifies every record's MAC and every seal. The consumer's verified events are
 * exactly the kernel records of the security log, and the test's own processes are among them.
 */
class KafkaPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void realSecurityEventsReachTheSiemVerifiedAndCountedExactly() throws Exception {
        PipelineTest.requireRoot();
        try (KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(tmp.resolve("broker")))) {
            Path data = tmp.resolve("data");
            Path watched = Files.createDirectories(tmp.resolve("watched"));
            Path secret = Files.writeString(watched.resolve("secret"), "s3cret\n");
            AgentConfig c = AgentConfig.defaults();
            c.dataDir = data;
            c.watch = List.of(watched + "/");
            c.kafka = KafkaConfig.options(null, broker.bootstrap(), new dev.twinlane.cli.KafkaAccessOptions());
            int n = 20;
            Set<Long> pids = new HashSet<>();
            long lastSeq;
            Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN);
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
                for (int i = 0; i < n; i++) {
                    pids.add(PipelineTest.spawn("/bin/sh", "-c", "cat " + secret + " > /dev/null"));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
                }
                Thread.sleep(500);
            } finally {
                p.close(); // the kernel side stops first; then the exporters ship what is durable and save their cursors
            }
            lastSeq = p.exporters().security().ackedSeq();
            KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
            List<LogContents.Entry> log = LogContents.security(data, keys);
            long kernelRecords = log.stream().filter(e -> e.kind() <= Kinds.MAX_APP_KIND).count();
            long exported = log.stream().filter(e -> e.kind() <= Kinds.MAX_APP_KIND && e.seq() <= lastSeq).count();
            assertEquals(kernelRecords, exported, "every kernel record was exported before the agent stopped");

            SiemConsumer.Options o = new SiemConsumer.Options();
            o.bootstrap = broker.bootstrap();
            o.keyFiles.add(data.resolve("keys/security.key"));
            o.sealPublicKey = data.resolve("keys/seal.pub");
            o.idleExit = Duration.ofSeconds(3);
            StringWriter out = new StringWriter();
            SiemConsumer.Stats stats;
            try (SiemConsumer siem = new SiemConsumer(o, out)) {
                stats = siem.run();
            }
            System.out.println("pipeline -> kafka -> siem: " + kernelRecords + " kernel records in the log; " + stats);
            Set<Long> seqs = new HashSet<>();
            Set<Long> execs = new HashSet<>();
            int opens = 0;
            for (String line : out.toString().split("\n")) {
                JsonNode ev = JSON.readTree(line);
                assertTrue(ev.path("class_uid").asInt() != 2004, "no alert: " + line);
                OcsfValidator.vendored().assertValid(ev); // real kernel records, OCSF 1.8.0
                JsonNode v = ev.path("unmapped").path("verification");
                assertEquals("hmac", v.path("chain").asText());
                assertTrue(seqs.add(v.path("seq").asLong()), "each seq once");
                if (ev.path("class_uid").asInt() == 1007 && ev.path("activity_id").asInt() == 1
                        && pids.contains(ev.path("process").path("pid").asLong())) {
                    execs.add(ev.path("process").path("pid").asLong());
                }
                if (ev.path("class_uid").asInt() == 1001 && ev.path("file").path("path").asText().equals(secret.toString())) {
                    opens++;
                }
            }
            assertEquals(kernelRecords, seqs.size(), "verified events = the kernel records of the security log, exactly");
            assertEquals(pids, execs, "each spawned process's exec, as OCSF Process Activity: Launch");
            assertEquals(n, opens, "each open of the watched file, as OCSF File System Activity: Open");
        }
    }
}
