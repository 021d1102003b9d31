package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.twinlane.broker.BrokerTls;
import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.ExportSettings;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wire.KafkaAccess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Export and consume over SASL_SSL (TLS with a CA made for the test, SCRAM-SHA-512) against a
 * real broker that has no plaintext listener: a wrong password and an untrusted certificate are
 * each one line on each side while the log keeps growing, and once the operator fixes the file
 * export and consumption resume, the consumer seeing every record exactly once; a plaintext
 * client is refused with a line that says what to do.
 */
class TlsTransportTest {
    private static final String USER = "twinlane";
    private static final String PASSWORD = "right-password-1";

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        Path pw = secret(shared.resolve("broker.password"), PASSWORD);
        broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(shared.resolve("broker")).plaintext(false)
                .saslSsl(shared.resolve("tls"), 0, USER, pw));
    }

    @AfterAll
    static void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.stop();
        }
    }

    private static Path secret(Path file, String password) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, password + "\n");
    }

    private KafkaAccess access(Path ca, String password) throws IOException {
        KafkaAccess a = new KafkaAccess();
        a.caFile = ca;
        a.user = USER;
        a.passwordFile = secret(tmp.resolve("client-" + System.nanoTime() + ".password"), password);
        return a;
    }

    @Test
    void aWrongPasswordIsOneLineEachSideAndBothResumeWhenTheFileIsFixed() throws Exception {
        KafkaAccess access = access(broker.caFile(), "wrong-password");
        roundTrip("scram", access, "refused the SCRAM-SHA-512 login of user 'twinlane'",
                () -> secret(access.passwordFile, PASSWORD));
    }

    @Test
    void anUntrustedCertificateIsOneLineEachSideAndBothResumeWhenTheCaIsFixed() throws Exception {
        Path otherCa = BrokerTls.ensure(tmp.resolve("other-ca")); // a CA that did not sign the broker's certificate
        Path clientCa = Files.copy(otherCa, tmp.resolve("client-ca.pem"));
        KafkaAccess access = access(clientCa, PASSWORD);
        roundTrip("ca", access, "TLS with Kafka " + broker.saslSslBootstrap() + " failed: PKIX path",
                () -> Files.copy(broker.caFile(), clientCa, StandardCopyOption.REPLACE_EXISTING));
    }

    @Test
    void aPlaintextClientFacingTheTlsListenerGetsOneLineSayingSo() throws Exception {
        try (TestHost h = new TestHost(tmp, "host-plain", TestHost.sealKey(tmp), 3); Lines lines = new Lines("dev.twinlane.export")) {
            h.append(10);
            try (SecurityExporter e = new SecurityExporter(h.log, h.settings(broker.saslSslBootstrap(), "plain"),
                    new SimpleMeterRegistry())) {
                e.start();
                Siems.await("the exporter's problem", Duration.ofSeconds(60), () -> e.problem() != null);
                System.out.println("plaintext client: " + lines.all());
                assertEquals("Kafka " + broker.saslSslBootstrap() + " did not answer in time; the connection is PLAINTEXT:"
                        + " if that port is a TLS (SSL or SASL_SSL) listener, give its CA file", e.problem());
                assertEquals(0, e.ackedSeq());
            }
        }
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.bootstrap = broker.saslSslBootstrap();
        o.securityTopic = "plain.security";
        o.sealsTopic = "plain.seals";
        try (Lines lines = new Lines("dev.twinlane.siem"); SiemConsumer c = new SiemConsumer(o, Writer.nullWriter())) {
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } catch (IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }, "test-siem-plain");
            t.start();
            try {
                Siems.await("the consumer's line", Duration.ofSeconds(60), () -> !lines.all().isEmpty());
            } finally {
                c.stop();
                t.join(30_000);
            }
            assertEquals(List.of("siem: could not read plain.seals from its start: Kafka " + broker.saslSslBootstrap()
                    + " did not answer in time; the connection is PLAINTEXT: if that port is a TLS (SSL or SASL_SSL)"
                    + " listener, give its CA file"), lines.all());
            assertEquals(0, c.stats().messages.get());
        }
    }

    interface Fix {
        void apply() throws IOException;
    }

    /**
     * A writer appends while the exporter, then the consumer, fail with {@code failure}; {@code fix}
     * repairs the client's file; both must resume and the consumer see every seq exactly once.
     */
    private void roundTrip(String name, KafkaAccess broken, String failure, Fix fix) throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        String prefix = "tls-" + name;
        try (TestHost h = new TestHost(tmp, "host-" + name, TestHost.sealKey(tmp), 11)) {
            ExportSettings s = h.settings(broker.saslSslBootstrap(), prefix);
            copy(broken, s.access);
            SecurityExporter e = new SecurityExporter(h.log, s, reg);
            BrokerOutageTest.Writer w = new BrokerOutageTest.Writer(h);
            try (e; Lines lines = new Lines("dev.twinlane.export")) {
                e.start();
                w.start();
                Siems.await("three refused attempts", Duration.ofSeconds(60),
                        () -> reg.get("twinlane.export.failures").counter().count() >= 3);
                long durableAtFailure = h.log.durableSeq();
                Thread.sleep(1000);
                System.out.printf("export %s: %.0f attempts refused, log %d -> %d records meanwhile, lines: %s%n", name,
                        reg.get("twinlane.export.failures").counter().count(), durableAtFailure, h.log.durableSeq(),
                        lines.all());
                assertTrue(e.problem().contains(failure), e.problem());
                List<String> said = lines.matching(failure);
                assertEquals(1, said.size(), "one line for the refusal, not one per attempt: " + lines.all());
                assertTrue(said.get(0).contains(e.problem()) && said.get(0).contains("the log keeps being written"), said.get(0));
                assertEquals(0, e.ackedSeq(), "nothing exported meanwhile");
                assertTrue(h.log.durableSeq() > durableAtFailure + 1000, "the log kept growing and syncing");
                fix.apply();
                Siems.await("export after the fix", Duration.ofSeconds(60),
                        () -> e.problem() == null && e.ackedSeq() > durableAtFailure);
                w.stop();
                Siems.drained(h, e, Duration.ofSeconds(60));
            } finally {
                w.stop();
            }
            // the log's growth during the refusal is asserted above; a wall-clock bound on single appends
            // would measure the other work on this shared machine, not the export
            System.out.printf("writer: %d appends, slowest %.1f ms%n", w.appended.get(), w.maxNanos.get() / 1e6);

            Set<Long> app = new HashSet<>();
            try (ChainReader r = h.log.reader()) {
                while (r.next()) {
                    if (r.kind() <= Kinds.MAX_APP_KIND) {
                        app.add(r.seq());
                    }
                }
            }
            breakAgain(broken, name);
            List<JsonNode> events = consume(prefix, broken, failure, fix, app.size());
            Set<Long> seen = new HashSet<>();
            for (JsonNode ev : events) {
                assertTrue(ev.path("class_uid").asInt() != 2004, "no finding: " + ev);
                assertTrue(seen.add(ev.path("unmapped").path("verification").path("seq").asLong()), "once: " + ev);
            }
            assertEquals(app, seen, "every seq exactly once");
        }
    }

    /** Breaks the client's file again, as it was before the fix, for the consumer's turn. */
    private void breakAgain(KafkaAccess a, String name) throws IOException {
        if (name.equals("scram")) {
            secret(a.passwordFile, "wrong-password");
        } else {
            Files.copy(tmp.resolve("other-ca").resolve(BrokerTls.CA), a.caFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private List<JsonNode> consume(String prefix, KafkaAccess access, String failure, Fix fix, int expected)
            throws Exception {
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.bootstrap = broker.saslSslBootstrap();
        o.group = prefix + "-siem";
        o.securityTopic = prefix + ".security";
        o.sealsTopic = prefix + ".seals";
        o.sealPublicKey = tmp.resolve("seal.pub");
        o.retryBackoff = Duration.ofMillis(200);
        o.retryBackoffMax = Duration.ofSeconds(1);
        copy(access, o.access);
        Path out = tmp.resolve(prefix + ".jsonl");
        AtomicReference<Throwable> died = new AtomicReference<>();
        try (Lines lines = new Lines("dev.twinlane.siem"); Writer wr = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
                SiemConsumer c = new SiemConsumer(o, wr)) {
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } catch (Throwable x) {
                    died.set(x);
                }
            }, "test-siem");
            t.start();
            try {
                Siems.await("three refused connections", Duration.ofSeconds(60), () -> c.stats().refused.get() >= 3);
                System.out.printf("siem %s: %d connections refused, lines: %s%n", prefix, c.stats().refused.get(), lines.all());
                assertTrue(c.stats().problem.contains(failure), c.stats().problem);
                assertEquals(1, lines.matching(failure).size(), "one line for the refusal: " + lines.all());
                assertEquals(0, c.stats().messages.get());
                fix.apply();
                Siems.await("every event consumed", Duration.ofSeconds(90), () -> c.stats().events.get() >= expected);
                Thread.sleep(500); // anything beyond would be a duplicate the consumer failed to drop
            } finally {
                c.stop();
                t.join(30_000);
            }
            assertNull(died.get());
            assertNull(c.stats().problem, "consuming again");
            System.out.println("siem " + prefix + ": " + c.stats());
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode n = Siems.JSON.readTree(line);
            Siems.OCSF.assertValid(n);
            events.add(n);
        }
        return events;
    }

    private static void copy(KafkaAccess from, KafkaAccess to) {
        to.caFile = from.caFile;
        to.user = from.user;
        to.passwordFile = from.passwordFile;
    }

    /** The lines one of our System.Loggers writes (through java.util.logging) while open. */
    static final class Lines extends Handler implements AutoCloseable {
        private final Logger logger;
        private final List<String> lines = new ArrayList<>();

        Lines(String name) {
            logger = Logger.getLogger(name);
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            lines.add(r.getMessage());
        }

        synchronized List<String> all() {
            return new ArrayList<>(lines);
        }

        synchronized List<String> matching(String part) {
            List<String> m = new ArrayList<>();
            for (String l : lines) {
                if (l.contains(part)) {
                    m.add(l);
                }
            }
            return m;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
