package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointVerifier;
import dev.twinlane.wal.proof.MerkleTree;
import dev.twinlane.wal.proof.ProofGenerator;
import dev.twinlane.wire.CheckpointMessage;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.SealKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The SIEM consumer as a witness, through a real broker: it keeps the checkpoint it accepted per
 * host log in a file across its restarts, accepts a longer log only with a valid consistency
 * proof, and catches the truncate-and-re-sign attack made with the real seal key.
 */
class WitnessTest {
    @TempDir
    static Path tmp;
    static KafkaBroker broker;
    static SealKey seal;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(tmp.resolve("broker")));
        seal = TestHost.sealKey(tmp);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    /** Appends, exports until the log's last SEAL has its checkpoint out; returns that checkpoint's size. */
    private static long appendAndExport(TestHost h, int records) throws Exception {
        return appendAndExport(h, records, false);
    }

    /** {@code exportAfter}: the exporter starts once the records are checkpointed (a host catching up). */
    private static long appendAndExport(TestHost h, int records, boolean exportAfter) throws Exception {
        SecurityExporter e = exportAfter ? null : exporter(h);
        try {
            h.append(records);
            h.log.appender().seal(); // the seal the host writes at its interval, now
            Siems.await(h.id + "'s last SEAL checkpointed", Duration.ofSeconds(30), () -> {
                long durable = h.log.syncNow();
                return durable == h.log.appendedSeq() && h.log.checkpoint() != null && h.log.checkpoint().size() == durable;
            });
            if (e == null) {
                e = exporter(h);
            }
            Siems.drained(h, e, Duration.ofSeconds(60));
            Thread.sleep(1500); // the exporter's next tick publishes the checkpoint
            return h.log.checkpoint().size();
        } finally {
            if (e != null) {
                e.close();
            }
        }
    }

    private static SecurityExporter exporter(TestHost h) {
        return (SecurityExporter) new SecurityExporter(h.log, h.settings(broker.bootstrap(), "w"), new SimpleMeterRegistry()).start();
    }

    /** Every value of a one-partition topic, in order. */
    private static List<JsonNode> values(String topic) throws IOException {
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

    /**
     * What a consumer without the HMAC key can check: each message's leaf index, and for a record
     * shipped after its checkpoint, the tree size of that checkpoint, which is on the seals topic;
     * the record's leaf hash (from the message alone) is then proven in it.
     */
    private static void messagesCarryTheirLeafAndCheckpoint(Path logDir, long size) throws Exception {
        JsonNode cp = values("w.seals").stream()
                .filter(m -> m.path("schema").asText().equals(CheckpointMessage.SCHEMA) && m.path("size").asLong() == size)
                .findFirst().orElseThrow(() -> new AssertionError("no checkpoint of size " + size + " on w.seals"));
        String note = cp.path("note").asText();
        String origin = note.substring(0, note.indexOf('\n'));
        Checkpoint c = new CheckpointVerifier(origin, SealKey.loadPublic(tmp.resolve("seal.pub")), origin).verify(note);
        List<JsonNode> msgs = values("w.security");
        assertEquals(size, msgs.size());
        try (ProofGenerator g = ProofGenerator.open(logDir, size)) {
            for (JsonNode m : msgs) {
                long seq = m.path("seq").asLong();
                assertEquals(seq - 1, m.path("leaf_index").asLong());
                assertEquals(size, m.path("tree_size").asLong(), "seq " + seq + " was shipped after its checkpoint");
                byte[] rec = Base64.getDecoder().decode(m.path("record").asText());
                byte[] stored = Arrays.copyOf(rec, rec.length + 32);
                System.arraycopy(HexFormat.of().parseHex(m.path("mac").asText()), 0, stored, rec.length, 32);
                assertTrue(g.inclusion(seq, size).verify(MerkleTree.leafHash(stored), c.rootHash()), "seq " + seq);
            }
        }
    }

    private Siems.Run consume(String name, Path witness) throws IOException {
        Siems.Run run = Siems.consume(broker.bootstrap(), "w", "witness", List.of(), tmp.resolve("seal.pub"),
                tmp.resolve(name + ".jsonl"), witness);
        System.out.println(name + ": " + run.stats() + "; witness file: " + Files.readString(witness).trim().replace('\n', '|'));
        return run;
    }

    private static long witnessedSize(Path witness) throws IOException {
        String line = Files.readAllLines(witness).stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
        return Long.parseLong(line.split(" ")[1]);
    }

    @Test
    void aCutShortLogReSignedWithTheRealKeyIsCaughtAcrossConsumerRestarts() throws Exception {
        Path witness = tmp.resolve("siem/witness.state");
        Path backup = tmp.resolve("backup");
        long first;
        try (TestHost h = new TestHost(tmp, "host-w", seal, 11)) {
            first = appendAndExport(h, 700, true);
            messagesCarryTheirLeafAndCheckpoint(h.log.directory(), first);
        }
        // the attacker's copy of the log as it was then (identity file included)
        TestHost.copyLog(tmp.resolve("host-w"), backup);

        long second;
        try (TestHost h = new TestHost(tmp, "host-w", seal, 12)) {
            second = appendAndExport(h, 900);
        }
        assertTrue(second > first);
        Siems.Run one = consume("one", witness);
        assertEquals(List.of(), witnessAlerts(one));
        assertTrue(one.stats().checkpoints.get() >= 2, "checkpoints accepted, each extending the last");
        assertEquals(second, witnessedSize(witness));

        // a restart in mid-stream: the state file is read back, more of the log, accepted with its proof
        Siems.Run two = consume("two", witness);
        assertEquals(List.of(), witnessAlerts(two));
        assertEquals(second, witnessedSize(witness), "nothing new: the state as it was");
        long third;
        try (TestHost h = new TestHost(tmp, "host-w", seal, 13)) {
            third = appendAndExport(h, 400);
        }
        Siems.Run three = consume("three", witness);
        assertEquals(List.of(), witnessAlerts(three));
        assertTrue(three.stats().checkpoints.get() >= 1);
        assertEquals(third, witnessedSize(witness), "accepted with the consistency proof from " + second);

        // the attack: the log cut back to the old copy, grown a little, re-signed with the real seal key
        TestHost.restoreLog(backup, tmp.resolve("host-w"));
        long cut;
        try (TestHost h = new TestHost(tmp, "host-w", seal, 14)) {
            cut = appendAndExport(h, 50);
        }
        assertTrue(first < cut && cut < third, first + " < " + cut + " < " + third);
        Siems.Run four = consume("four", witness);
        // the copy's own checkpoint.latest (size `first`) may go out too before the new one: both are smaller
        List<JsonNode> found = witnessFindings(four);
        assertTrue(found.size() == 1 || found.size() == 2, four.alertKeys().toString());
        for (JsonNode smaller : found) {
            assertEquals("checkpoint-smaller", smaller.path("unmapped").path("alert").path("failure").asText());
            assertEquals(2004, smaller.path("class_uid").asInt());
            assertEquals("host-w", smaller.path("unmapped").path("alert").path("host").asText());
        }
        String last = found.get(found.size() - 1).path("message").asText();
        assertTrue(last.startsWith("host host-w: old size " + third + ", new size " + cut + ":"), last);
        if (found.size() == 2) {
            String before = found.get(0).path("message").asText();
            assertTrue(before.startsWith("host host-w: old size " + third + ", new size " + first + ":"), before);
        }
        assertEquals(third, witnessedSize(witness), "the witness keeps what it accepted");

        // grown past the witnessed size: longer now, but it does not extend the log witnessed
        long forked;
        try (TestHost h = new TestHost(tmp, "host-w", seal, 15)) {
            forked = appendAndExport(h, 2000);
        }
        assertTrue(forked > third);
        Siems.Run five = consume("five", witness);
        // one finding per checkpoint the forked log signed while it grew (how many seals fall in the
        // 2000 appends depends on the machine's speed), the last of its final size; none for the
        // cut-short checkpoint reported before
        List<JsonNode> forks = witnessFindings(five);
        assertTrue(!forks.isEmpty(), five.alertKeys().toString());
        for (JsonNode f : forks) {
            assertEquals("checkpoint-inconsistent", f.path("unmapped").path("alert").path("failure").asText(), f.toString());
            assertEquals(2004, f.path("class_uid").asInt());
            assertTrue(f.path("message").asText().startsWith("host host-w: old size " + third + ", new size "), f.toString());
        }
        JsonNode inconsistent = forks.get(forks.size() - 1);
        assertTrue(inconsistent.path("message").asText().startsWith("host host-w: old size " + third + ", new size " + forked
                + ": the consistency proof does not verify"), inconsistent.path("message").asText());
        assertEquals(third, witnessedSize(witness));
    }

    /**
     * The witness's findings. (A restarted consumer also reports "truncated" for a log whose seal it
     * re-reads without the records it had consumed before the restart: its chain state is in memory
     * only, a known limit of ChainCheck that this test is not about.)
     */
    private static List<String> witnessAlerts(Siems.Run run) {
        return run.alertKeys().stream().filter(k -> k.contains("checkpoint")).toList();
    }

    private static List<JsonNode> witnessFindings(Siems.Run run) {
        return run.alerts().stream().filter(a -> a.path("unmapped").path("alert").path("failure").asText().contains("checkpoint"))
                .toList();
    }
}
