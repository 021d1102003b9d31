package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.cli.KafkaAccessOptions;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.siem.SiemConsumer;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The real pipeline on the host kernel (needs root) exporting over SASL_SSL to a broker without a
 * plaintext listener, configured with run's --kafka-* options: with a wrong password the agent's
 * security log keeps taking kernel events while export is refused; once the password file is
 * fixed, export resumes by itself and the SIEM consumer, also over SASL_SSL, verifies every kernel
 * record of the log exactly once.
 */
class KafkaTlsPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path secret(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.deleteIfExists(f);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(f, text + "\n");
    }

    @Test
    void theLogGrowsWhileTheLoginIsRefusedAndEveryRecordArrivesOnceTheFileIsFixed() throws Exception {
        PipelineTest.requireRoot();
        Path brokerPassword = secret("broker.password", "pipeline-secret-1");
        try (KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(tmp.resolve("broker"))
                .plaintext(false).saslSsl(tmp.resolve("tls"), 0, "twinlane", brokerPassword))) {
            Path data = tmp.resolve("data");
            Path clientPassword = secret("client.password", "wrong-password");
            KafkaAccessOptions flags = RunCommand.parse("--kafka", broker.saslSslBootstrap(), "--kafka-ca",
                    broker.caFile().toString(), "--kafka-user", "twinlane", "--kafka-password-file",
                    clientPassword.toString()).kafkaAccess;
            AgentConfig c = AgentConfig.defaults();
            c.dataDir = data;
            c.kafka = KafkaConfig.options(null, broker.saslSslBootstrap(), flags);
            Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN);
            long lagRefused;
            try {
                SecurityExporter e = p.exporters().security();
                await("the refusal", () -> e.problem() != null);
                assertTrue(e.problem().contains("refused the SCRAM-SHA-512 login of user 'twinlane'"), e.problem());
                long lagBefore = e.lag();
                for (int i = 0; i < 20; i++) {
                    PipelineTest.spawn("/bin/true");
                }
                await("the log to grow while refused", () -> e.lag() >= lagBefore + 20);
                lagRefused = e.lag();
                assertEquals(0, e.ackedSeq(), "nothing exported while refused");
                System.out.printf("refused: %s; %d durable records not exported%n", e.problem(), lagRefused);
                secret("client.password", "pipeline-secret-1");
                await("export after the fix", () -> e.problem() == null && e.ackedSeq() >= lagRefused);
                for (int i = 0; i < 20; i++) {
                    PipelineTest.spawn("/bin/true");
                }
                Thread.sleep(500);
            } finally {
                p.close();
            }
            long lastSeq = p.exporters().security().ackedSeq();
            List<LogContents.Entry> log = LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")));
            Set<Long> kernel = new HashSet<>();
            log.stream().filter(x -> x.kind() <= Kinds.MAX_APP_KIND).forEach(x -> kernel.add(x.seq()));
            // the log's closing SEAL comes after the exporters' last drain; every kernel record comes before it
            assertTrue(kernel.stream().allMatch(seq -> seq <= lastSeq), "every kernel record exported before the stop");

            SiemConsumer.Options o = new SiemConsumer.Options();
            o.bootstrap = broker.saslSslBootstrap();
            o.access.caFile = broker.caFile();
            o.access.user = "twinlane";
            o.access.passwordFile = clientPassword;
            o.keyFiles.add(data.resolve("keys/security.key"));
            o.sealPublicKey = data.resolve("keys/seal.pub");
            o.idleExit = Duration.ofSeconds(3);
            StringWriter out = new StringWriter();
            SiemConsumer.Stats stats;
            try (SiemConsumer siem = new SiemConsumer(o, out)) {
                stats = siem.run();
            }
            System.out.println("pipeline -> kafka (SASL_SSL) -> siem: " + kernel.size() + " kernel records; " + stats);
            Set<Long> seqs = new HashSet<>();
            for (String line : out.toString().split("\n")) {
                JsonNode ev = JSON.readTree(line);
                assertTrue(ev.path("class_uid").asInt() != 2004, "no alert: " + line);
                assertTrue(seqs.add(ev.path("unmapped").path("verification").path("seq").asLong()), "each seq once");
            }
            assertEquals(kernel, seqs, "every kernel record of the log, verified, once");
            assertTrue(kernel.size() >= 40, "the spawned processes' records are among them: " + kernel.size());
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
