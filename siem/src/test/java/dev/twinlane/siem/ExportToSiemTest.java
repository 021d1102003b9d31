package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.ExportSettings;
import dev.twinlane.export.ObservabilityExporter;
import dev.twinlane.wire.SecurityMessage;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.SealKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Security and observability export through one real Kafka broker (KRaft, own JVM, loopback
 * port, temporary directory; shared by the tests of this class), read back by the SIEM consumer
 * and by kcat. The records are kernel-shaped records appended through ChainedLog directly:
 * these tests are about transport and verification, not the kernel (agent's
 * KafkaPipelineTest drives the real pipeline).
 */
class ExportToSiemTest {
    @TempDir
    static Path tmp;
    static KafkaBroker broker;
    static SealKey seal;

    @BeforeAll
    static void startBroker() throws Exception {
        long t0 = System.nanoTime();
        broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(tmp.resolve("broker")));
        System.out.printf("broker %s ready in %.1f s%n", broker.bootstrap(), (System.nanoTime() - t0) / 1e9);
        seal = TestHost.sealKey(tmp);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void everyEventOfTwoHostsArrivesVerifiedExactlyOnce() throws Exception {
        int n = 3000;
        Map<String, Set<Long>> appSeqs = new TreeMap<>();
        List<Path> keys = new ArrayList<>();
        try (TestHost a = new TestHost(tmp, "host-a", seal, 1); TestHost b = new TestHost(tmp, "host-b", seal, 2)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            SecurityExporter ea = (SecurityExporter) new SecurityExporter(a.log, a.settings(broker.bootstrap(), "e2e"), reg).start();
            SecurityExporter eb = (SecurityExporter) new SecurityExporter(b.log, b.settings(broker.bootstrap(), "e2e"), reg).start();
            try {
                for (int i = 0; i < n; i += 500) {
                    a.append(500);
                    b.append(500);
                }
                Siems.drained(a, ea, Duration.ofSeconds(60));
                Siems.drained(b, eb, Duration.ofSeconds(60));
                assertEquals(0.0, reg.get("twinlane.export.lag.records").tag("log", "security").gauges().stream()
                        .mapToDouble(g -> g.value()).sum(), "lag gauges at zero");
            } finally {
                ea.close();
                eb.close();
            }
            for (TestHost h : List.of(a, b)) {
                keys.add(h.keyFile);
                Set<Long> s = new HashSet<>();
                try (ChainReader r = h.log.reader()) {
                    while (r.next()) {
                        if (r.kind() <= Kinds.MAX_APP_KIND) {
                            s.add(r.seq());
                        }
                    }
                }
                assertEquals(n, s.size());
                appSeqs.put(h.id, s);
            }
        }
        assertEquals(2 * n, Siems.exportedEventsValid(values("e2e.security")), "every shipped event is OCSF 1.8.0");
        Siems.Run run = Siems.consume(broker.bootstrap(), "e2e", "siem-e2e", keys, tmp.resolve("seal.pub"),
                tmp.resolve("e2e.jsonl"));
        System.out.println("e2e: " + run.stats());
        assertEquals(List.of(), run.alertKeys(), "no alert on untouched chains");
        assertEquals(2 * n, run.events().size(), "exactly the appended events");
        Map<String, Set<Long>> seen = new TreeMap<>();
        for (JsonNode e : run.events()) {
            JsonNode v = e.path("unmapped").path("verification");
            assertEquals("hmac", v.path("chain").asText(), "every record's MAC verified");
            assertTrue(Set.of(1001, 1007, 4001).contains(e.path("class_uid").asInt()), e.toString());
            assertTrue(seen.computeIfAbsent(e.path("device").path("uid").asText(), k -> new HashSet<>())
                    .add(v.path("seq").asLong()), "seq once: " + v);
        }
        assertEquals(appSeqs, seen, "every host's every event seq, once");
        assertTrue(run.stats().seals.get() > 0, "seals went to the compacted topic and were checked");
    }

    @Test
    void forgedAlteredAndMissingRecordsAreFlaggedWithHostSeqAndClass() throws Exception {
        String host = "host-t";
        Path attackerKey = tmp.resolve("attacker.key");
        KeyRing.generate(attackerKey);
        long last;
        List<byte[]> genuineLater = new ArrayList<>();
        byte[] prevOfLater;
        try (TestHost t = new TestHost(tmp, host, seal, 3)) {
            SecurityExporter e = (SecurityExporter) new SecurityExporter(t.log,
                    t.settings(broker.bootstrap(), "tamper"), new SimpleMeterRegistry()).start();
            try {
                t.append(200);
                Siems.drained(t, e, Duration.ofSeconds(60));
            } finally {
                e.close();
            }
            last = e.ackedSeq(); // a timed SEAL may follow: it is among the records produced by hand below
            t.append(10); // last+1 .. last+10: produced by hand below, with holes
            t.log.syncNow();
            byte[] prev = null;
            try (ChainReader r = t.log.reader()) {
                while (r.next()) {
                    byte[] rec = java.util.Arrays.copyOf(r.bytes(), r.length());
                    if (r.seq() > last) {
                        genuineLater.add(rec);
                    } else {
                        prev = java.util.Arrays.copyOfRange(rec, rec.length - 32, rec.length);
                    }
                }
            }
            prevOfLater = prev;
        }
        Map<Long, JsonNode> shipped = read("tamper.security");
        SecurityMessage enc = new SecurityMessage();
        String logId = shipped.get(1L).path("log_id").asText();
        List<byte[]> forged = new ArrayList<>();
        long s50 = appSeqFrom(shipped, 50);
        long s60 = appSeqFrom(shipped, 60);
        // 1. An altered copy of an early event: path changed, event re-rendered to match, MAC kept.
        forged.add(alter(shipped.get(s50), enc, host, logId));
        // 2. Only the event of a later one altered; its record is genuine (a duplicate).
        ObjectNode ev = shipped.get(s60).deepCopy();
        ((ObjectNode) ev.path("event").path("actor").path("process")).put("name", "innocent");
        forged.add(Siems.JSON.writeValueAsBytes(ev));
        // 3. A forged next record (seq last+1) with a made-up MAC.
        byte[] fake = genuineLater.get(0).clone();
        fake[RecordFormat.HEADER + 120] ^= 1;
        fake[fake.length - 1] ^= 0x55;
        forged.add(enc.encode(fake, fake.length, prevOfLater, host, logId));
        // 4. Genuine last+1..last+3, then last+7..last+10: last+4..last+6 never arrive.
        byte[] p = prevOfLater;
        for (int i = 0; i < genuineLater.size(); i++) {
            byte[] rec = genuineLater.get(i);
            if (i < 3 || i >= 6) {
                forged.add(enc.encode(rec, rec.length, p, host, logId));
            }
            p = java.util.Arrays.copyOfRange(rec, rec.length - 32, rec.length);
        }
        long firstMissing = RecordFormat.seq(genuineLater.get(3), 0);
        long missingApp = genuineLater.subList(3, 6).stream().filter(r -> RecordFormat.kind(r, 0) <= Kinds.MAX_APP_KIND).count();
        // 5. After them, a record chained correctly but MACed with the attacker's own root key.
        byte[] lastRec = genuineLater.get(genuineLater.size() - 1);
        long attackSeq = RecordFormat.seq(lastRec, 0) + 1;
        forged.add(enc.encode(macWith(attackerKey, logId, lastRec, p), lastRec.length, p, host, logId));
        try (KafkaProducer<byte[], byte[]> prod = producer()) {
            for (byte[] v : forged) {
                prod.send(new ProducerRecord<>("tamper.security", host.getBytes(StandardCharsets.UTF_8), v)).get();
            }
        }
        Siems.Run run = Siems.consume(broker.bootstrap(), "tamper", "siem-tamper",
                List.of(tmp.resolve(host).resolve("root.key")), tmp.resolve("seal.pub"), tmp.resolve("tamper.jsonl"));
        System.out.println("tamper: " + run.stats() + "\n  alerts: " + run.alertKeys());
        List<String> alerts = run.alertKeys();
        assertTrue(alerts.contains(host + " " + s50 + " modified"), "altered copy of seq " + s50 + ": " + alerts);
        assertTrue(alerts.contains(host + " " + s60 + " modified"), "altered event of seq " + s60 + ": " + alerts);
        assertTrue(alerts.contains(host + " " + (last + 1) + " modified"), "forged seq " + (last + 1) + ": " + alerts);
        assertTrue(alerts.contains(host + " " + firstMissing + " missing"), "three records missing: " + alerts);
        assertTrue(alerts.contains(host + " " + attackSeq + " wrong-key"), "attacker's key: " + alerts);
        assertEquals(5, alerts.size(), "nothing else flagged: " + alerts);
        // The genuine records are all there once, none of the forgeries.
        Set<Long> seqs = new HashSet<>();
        for (JsonNode e : run.events()) {
            assertTrue(seqs.add(e.path("unmapped").path("verification").path("seq").asLong()));
            assertFalse(e.toString().contains("innocent"));
        }
        long app = shipped.values().stream().filter(v -> v.path("kind").asInt() <= Kinds.MAX_APP_KIND).count();
        long laterApp = genuineLater.stream().filter(r -> RecordFormat.kind(r, 0) <= Kinds.MAX_APP_KIND).count();
        assertEquals(app + laterApp - missingApp, seqs.size(), "every genuine event that was produced, once");
    }

    @Test
    void observabilityBatchesGoCompressedWithSyntheticFlagsIntact() throws Exception {
        Path dir = tmp.resolve("obs-host");
        Path key = Files.createDirectories(dir).resolve("root.key");
        KeyRing.generate(key);
        List<String> batches = new ArrayList<>();
        try (ChainedLog log = ChainedLog.observability(dir.resolve("observability")).keys(KeyRing.load(key))
                .hostId("host-o").build()) {
            ExportSettings s = new ExportSettings().bootstrap(broker.bootstrap()).cursorDir(dir.resolve("export"));
            s.observabilityTopic = "obs.observability";
            s.observabilityCompression = "zstd";
            try (ObservabilityExporter e = new ObservabilityExporter(log, s, new SimpleMeterRegistry(), 0x100)) {
                e.start();
                for (int i = 0; i < 50; i++) {
                    String b = "{\"window_start_ms\":" + (i * 200) + ",\"window_ms\":200,\"syscalls\":[{\"tgid\":7,\"nr\":0,"
                            + "\"count\":" + (i + 1) + "}" + (i % 5 == 4 ? ",{\"tgid\":8,\"nr\":1,\"count\":3,"
                            + "\"synthetic\":true,\"method\":\"last\"}" : "") + "],\"forks\":[],\"exits\":[]}";
                    batches.add(b);
                    byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
                    log.appender().append(0x100, bytes);
                }
                log.syncNow();
                Siems.await("observability exported", Duration.ofSeconds(60), () -> e.ackedSeq() >= log.syncNow());
            }
        }
        List<String> got = new ArrayList<>();
        int synthetic = 0;
        for (JsonNode v : read("obs.observability").values()) {
            assertEquals("host-o", v.path("host").asText());
            got.add(Siems.JSON.writeValueAsString(v.get("batch")));
            for (JsonNode sc : v.path("batch").path("syscalls")) {
                if (sc.path("synthetic").asBoolean()) {
                    assertEquals("last", sc.path("method").asText());
                    synthetic++;
                }
            }
        }
        assertEquals(batches, got, "each batch byte for byte, in order");
        assertEquals(10, synthetic, "synthetic flags preserved");
        // The broker's own segment dump says how the batches are stored.
        Path segment;
        try (var files = Files.list(broker.dataDir().resolve("kafka-logs/obs.observability-0"))) {
            segment = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        Process dump = new ProcessBuilder(KafkaBroker.javaCommand(List.of("-Xmx128m"), "org.apache.kafka.tools.DumpLogSegments",
                List.of("--files", segment.toString()), null)).redirectErrorStream(true).start();
        String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        dump.waitFor(60, TimeUnit.SECONDS);
        assertTrue(text.contains("compresscodec: zstd"), "zstd batches on the broker:\n" + text);
        assertFalse(text.contains("compresscodec: none"), "no uncompressed batch:\n" + text);
    }

    @Test
    void exporterResumesFromItsCursorAfterARestart() throws Exception {
        try (TestHost h = new TestHost(tmp, "host-r", seal, 4)) {
            SimpleMeterRegistry reg1 = new SimpleMeterRegistry();
            try (SecurityExporter e = new SecurityExporter(h.log, h.settings(broker.bootstrap(), "resume"), reg1)) {
                e.start();
                h.append(300);
                Siems.drained(h, e, Duration.ofSeconds(60));
            }
            long first = h.log.appendedSeq();
            h.append(300);
            SimpleMeterRegistry reg2 = new SimpleMeterRegistry();
            try (SecurityExporter e = new SecurityExporter(h.log, h.settings(broker.bootstrap(), "resume"), reg2)) {
                e.start();
                Siems.drained(h, e, Duration.ofSeconds(60));
            }
            double resent = reg2.get("twinlane.export.records.sent").counter().count();
            assertTrue(resent <= h.log.appendedSeq() - first, "the second run sends only what came after the cursor: "
                    + resent + " of " + h.log.appendedSeq());
        }
        Map<Long, JsonNode> topic = read("resume.security");
        assertTrue(Siems.exportedEventsValid(topic.values()) > 0);
        assertEquals(topic.size(), topic.keySet().stream().mapToLong(Long::longValue).max().orElse(0),
                "seq 1..last all in the topic");
    }

    @Test
    void kcatReadsEveryTopicAndEveryValueIsJson() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "kcat is installed through apt (root)");
        Process deps = new ProcessBuilder(repoRoot().resolve("scripts/ensure-deps").toString(), "kcat").inheritIO().start();
        assertEquals(0, deps.waitFor(), "scripts/ensure-deps kcat");
        try (TestHost h = new TestHost(tmp, "host-k", seal, 5)) {
            ExportSettings s = h.settings(broker.bootstrap(), "kcat");
            try (SecurityExporter e = new SecurityExporter(h.log, s, new SimpleMeterRegistry())) {
                e.start();
                h.append(700);
                Siems.drained(h, e, Duration.ofSeconds(60));
            }
        }
        for (String topic : List.of("kcat.security", "kcat.seals")) {
            Process k = new ProcessBuilder("kcat", "-C", "-b", broker.bootstrap(), "-t", topic, "-e", "-q", "-f", "%s\\n")
                    .redirectErrorStream(false).start();
            byte[] out = k.getInputStream().readAllBytes();
            String err = new String(k.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, k.waitFor(), "kcat " + topic + ": " + err);
            int values = 0;
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode v = Siems.JSON.readTree(line);
                assertTrue(v.isObject(), topic + " value: " + line);
                values++;
            }
            System.out.println("kcat " + topic + ": " + values + " values, every one JSON");
            assertTrue(values > (topic.endsWith("security") ? 700 : 0), topic + ": " + values);
        }
    }

    // ---- helpers ----

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/ensure-deps"))) {
            p = p.getParent();
        }
        return p;
    }

    static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrap());
        p.put("acks", "all");
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Every value of a one-partition topic, by seq (the last one wins). */
    static Map<Long, JsonNode> read(String topic) throws IOException {
        Map<Long, JsonNode> out = new TreeMap<>();
        for (JsonNode v : values(topic)) {
            out.put(v.path("seq").asLong(), v);
        }
        return out;
    }

    /** Every value of a one-partition topic, in order. */
    static List<JsonNode> values(String topic) throws IOException {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrap());
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(Siems.JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    /** A message whose record was changed (one path byte) and whose event was rendered from the change. */
    private static byte[] alter(JsonNode msg, SecurityMessage enc, String host, String logId) {
        byte[] rec = Base64.getDecoder().decode(msg.path("record").asText());
        byte[] mac = HexFormat.of().parseHex(msg.path("mac").asText());
        byte[] full = java.util.Arrays.copyOf(rec, rec.length + 32);
        System.arraycopy(mac, 0, full, rec.length, 32);
        int kind = RecordFormat.kind(rec, 0);
        int off = RecordFormat.HEADER + (kind == 2 ? 112 : kind == 1 ? 112 : 64); // a path, filename or comm byte
        full[off] = (byte) (full[off] == 'X' ? 'Y' : 'X');
        return enc.encode(full, full.length, HexFormat.of().parseHex(msg.path("prev_mac").asText()), host, logId);
    }

    /** {@code template}'s next record, chained to {@code prev} but MACed with another root key. */
    private static byte[] macWith(Path keyFile, String logId, byte[] template, byte[] prev) throws Exception {
        KeyRing.RootKey root = KeyRing.load(keyFile).newest();
        byte[] rec = template.clone();
        java.nio.ByteBuffer.wrap(rec).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(0, RecordFormat.seq(template, 0) + 1).putInt(28, root.id());
        int len = rec.length - 32;
        // Forged independently of wal (javax.crypto, the documented key chain), so the check is not circular.
        javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
        byte[] key = secretOf(keyFile);
        m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        m.update("twinlane-wal k0".getBytes(StandardCharsets.US_ASCII));
        m.update(HexFormat.of().parseHex(logId));
        key = m.doFinal();
        for (int e = 0; e < RecordFormat.epoch(rec, 0); e++) {
            m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            key = m.doFinal("evolve".getBytes(StandardCharsets.US_ASCII));
        }
        m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        m.update(prev);
        m.update(rec, 0, len);
        System.arraycopy(m.doFinal(), 0, rec, len, 32);
        return rec;
    }

    private static byte[] secretOf(Path keyFile) throws Exception {
        byte[] secret = null;
        for (String line : Files.readAllLines(keyFile)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                secret = HexFormat.of().parseHex(line.trim());
            }
        }
        return secret;
    }

    /** The first seq at or after {@code from} that carries a kernel event. */
    private static long appSeqFrom(Map<Long, JsonNode> shipped, long from) {
        for (long s = from; ; s++) {
            if (shipped.get(s).path("kind").asInt() <= Kinds.MAX_APP_KIND) {
                return s;
            }
        }
    }
}
