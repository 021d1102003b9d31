package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.records.SyntheticRecords;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wire.ocsf.OcsfValidator;

/** The security message schema and OCSF mapping on records of a real chained log (no broker). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SecurityMessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void messagesCarryTheChainAndAnOcsfEventPerKernelRecord() throws Exception {
        Path key = tmp.resolve("root.key");
        KeyRing.generate(key);
        SyntheticRecords gen = new SyntheticRecords(9);
        List<JsonNode> msgs = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        try (ChainedLog log = ChainedLog.security(tmp.resolve("log")).keys(KeyRing.load(key)).hostId("h1").build()) {
            log.appender().append(1, gen.exec(4242, "/usr/bin/curl", "curl", "-s", "http://x/\"q\""));
            log.appender().append(2, gen.fileOpen(4243, "/etc/shadow", -13, 1));
            log.appender().append(3, gen.connect(4244, InetAddress.getByName("10.1.2.3"), 443, 0));
            log.appender().append(3, gen.connect(4245, InetAddress.getByName("2001:db8::7"), 8443, -111));
            log.syncNow();
            SecurityMessage enc = new SecurityMessage();
            byte[] prev = new byte[32];
            try (ChainReader r = log.reader()) {
                while (r.next()) {
                    byte[] rec = Arrays.copyOf(r.bytes(), r.length());
                    if (r.seq() == 1) {
                        MessageDigest md = MessageDigest.getInstance("SHA-256");
                        md.update("twinlane-wal genesis v1".getBytes(StandardCharsets.US_ASCII));
                        prev = md.digest(Arrays.copyOfRange(rec, 40, rec.length - 32));
                    }
                    msgs.add(JSON.readTree(enc.encode(rec, rec.length, prev, "h1", log.logId())));
                    raw.add(rec);
                    prev = Arrays.copyOfRange(rec, rec.length - 32, rec.length);
                }
            }
        }
        assertEquals(5, msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            byte[] rec = raw.get(i);
            assertEquals("twinlane.security/1", m.get("schema").asText());
            assertEquals(i + 1, m.get("seq").asLong());
            assertEquals("h1", m.get("host").asText());
            assertArrayEquals(Arrays.copyOf(rec, rec.length - 32), Base64.getDecoder().decode(m.get("record").asText()));
            assertEquals(HexFormat.of().formatHex(rec, rec.length - 32, rec.length), m.get("mac").asText());
            if (i > 0) {
                assertEquals(msgs.get(i - 1).get("mac").asText(), m.get("prev_mac").asText(), "chained");
            }
        }
        for (JsonNode m : msgs.subList(1, msgs.size())) {
            OcsfValidator.vendored().assertValid(m.get("event"));
        }
        assertEquals("GENESIS", msgs.get(0).get("kind_name").asText());
        assertEquals("h1", msgs.get(0).get("wal").get("host_id").asText());

        JsonNode exec = msgs.get(1).get("event");
        assertEquals(1007, exec.get("class_uid").asInt());
        assertEquals(100701, exec.get("type_uid").asInt());
        assertEquals("/usr/bin/curl", exec.get("process").get("file").get("path").asText());
        assertEquals("curl -s http://x/\"q\"", exec.get("process").get("cmd_line").asText());
        assertEquals(4242, exec.get("process").get("pid").asInt());
        assertEquals(msgs.get(1).get("log_id").asText() + ":2", exec.get("metadata").get("uid").asText());

        JsonNode open = msgs.get(2).get("event");
        assertEquals(1001, open.get("class_uid").asInt());
        assertEquals(14, open.get("activity_id").asInt());
        assertEquals("/etc/shadow", open.get("file").get("path").asText());
        assertEquals(2, open.get("status_id").asInt());
        assertEquals("13", open.get("status_code").asText());
        assertEquals("Blocked", open.get("disposition").asText());

        JsonNode c4 = msgs.get(3).get("event");
        assertEquals(4001, c4.get("class_uid").asInt());
        assertEquals("10.1.2.3", c4.get("dst_endpoint").get("ip").asText());
        assertEquals(443, c4.get("dst_endpoint").get("port").asInt());
        assertEquals(4, c4.get("connection_info").get("protocol_ver_id").asInt());
        JsonNode c6 = msgs.get(4).get("event");
        assertTrue(c6.get("dst_endpoint").get("ip").asText().startsWith("2001:db8:"));
        assertEquals("Failure", c6.get("status").asText());
    }

    /** Every record of the log as shipped messages (the log is closed; it is reopened read-only by a writer). */
    private static List<JsonNode> messages(ChainedLog log) throws Exception {
        List<JsonNode> msgs = new ArrayList<>();
        SecurityMessage enc = new SecurityMessage();
        byte[] prev = new byte[32];
        log.syncNow();
        try (ChainReader r = log.reader()) {
            while (r.next()) {
                byte[] rec = Arrays.copyOf(r.bytes(), r.length());
                msgs.add(JSON.readTree(enc.encode(rec, rec.length, prev, "h1", log.logId())));
                prev = Arrays.copyOfRange(rec, rec.length - 32, rec.length);
            }
        }
        return msgs;
    }

    @Test
    void recoveryAndNewLogRecordsCarryWhatTheyName() throws Exception {
        Path key = tmp.resolve("root.key");
        KeyRing.generate(key);
        Path dir = tmp.resolve("log");
        String first;
        try (ChainedLog log = ChainedLog.security(dir).keys(KeyRing.load(key)).hostId("h1").build()) {
            first = log.logId();
            log.appender().append(1, new byte[]{1});
        }
        java.nio.file.Files.delete(tmp.resolve("log.identity")); // so the next start cannot know it was a clean stop
        try (ChainedLog log = ChainedLog.security(dir).keys(KeyRing.load(key)).hostId("h1").build()) {
            JsonNode rec = messages(log).get(2);
            assertEquals("RECOVERY", rec.get("kind_name").asText());
            JsonNode w = rec.get("wal");
            assertEquals(0, w.get("torn_documents").asInt());
            assertEquals(0, w.get("zeroed_bytes").asInt());
            assertEquals(2, w.get("last_seq_kept").asLong());
            assertTrue(w.get("not_closed").asBoolean() && w.get("no_identity").asBoolean(), w.toString());
            System.out.println("RECOVERY: " + w);
        }
        // the directory lost: a new log, only when told, says which one it replaces and why
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        try (ChainedLog log = ChainedLog.security(dir).keys(KeyRing.load(key)).hostId("h1")
                .buildStartingNewLogIfDamaged("disk replaced")) {
            JsonNode rec = messages(log).get(1);
            assertEquals("NEW_LOG", rec.get("kind_name").asText());
            JsonNode w = rec.get("wal");
            assertEquals(first, w.get("previous_log_id").asText());
            assertEquals(3, w.get("previous_last_seq").asLong());
            assertEquals("missing", w.get("cause").asText());
            assertEquals("disk replaced", w.get("reason").asText());
            assertTrue(w.get("problem").asText().contains("holds no log"), w.toString());
            System.out.println("NEW_LOG: " + w);
        }
    }
}
