package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.twinlane.records.RecordKind;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wire.SealMessage;
import dev.twinlane.wire.SecurityMessage;
import dev.twinlane.wire.Topics;

/**
 * Kafka values are the network's: the consumer takes any bytes on either topic, and security
 * messages whose plain fields agree with a record of arbitrary payload (so that the OCSF rendering
 * of that payload runs), without an exception; whatever it writes is JSON lines.
 */
class SiemFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOG_ID = "00112233445566778899aabbccddeeff";

    /** One consumer for the run, as in production (a KafkaConsumer each time made 35 inputs/s and 5 GB). */
    private static final StringWriter OUT = new StringWriter();
    private static final SiemConsumer SIEM = consumer();
    private static long offset;

    private static SiemConsumer consumer() {
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.bootstrap = "127.0.0.1:9"; // never polled: messages are handed over one by one
        try {
            return new SiemConsumer(o, OUT);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void anyValueIsAnEventAnAlertOrNothing(FuzzedDataProvider data) throws Exception {
        OUT.getBuffer().setLength(0);
        for (int n = 0; data.remainingBytes() > 0 && n < 8; n++) {
            int mode = data.consumeInt(0, 3);
            String topic = mode == 1 || mode == 3 ? Topics.SEALS : Topics.SECURITY;
            byte[] value = mode == 0 || mode == 1 ? data.consumeBytes(2048) : mode == 2 ? security(data) : seal(data);
            SIEM.handle(new ConsumerRecord<>(topic, 0, offset++, "host".getBytes(StandardCharsets.UTF_8), value));
        }
        SIEM.drain();
        for (String line : OUT.toString().split("\n")) {
            if (!line.isEmpty()) {
                assertTrue(JSON.readTree(line).isObject(), line);
            }
        }
    }

    /** A security message whose fields agree with its record; the record's payload is the fuzzer's, a kernel kind's size or not. */
    private static byte[] security(FuzzedDataProvider data) throws Exception {
        RecordKind k = data.pickValue(RecordKind.values());
        byte[] payload = data.consumeBytes(data.consumeBoolean() ? k.size() : 600);
        if (payload.length >= 4 && data.consumeBoolean()) {
            ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) k.code()).putShort(2, (short) payload.length);
        }
        ByteBuffer r = ByteBuffer.allocate(RecordFormat.HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(data.consumeLong(1, 1000)).putLong(data.consumeLong()).putLong(data.consumeLong()).putInt(data.consumeInt())
                .putInt(data.consumeInt()).putShort((short) data.consumeInt(1, 0xFFFF)).putShort((short) RecordFormat.VERSION)
                .putInt(payload.length).put(payload);
        byte[] rec = r.array();
        ObjectNode v = JSON.createObjectNode();
        v.put("schema", SecurityMessage.SCHEMA).put("log_id", LOG_ID).put("host", "host")
                .put("seq", RecordFormat.seq(rec, 0)).put("kind", RecordFormat.kind(rec, 0)).put("epoch", RecordFormat.epoch(rec, 0))
                .put("key_id", KeyRing.idHex(RecordFormat.keyId(rec, 0))).put("time_ns", RecordFormat.wallNanos(rec, 0))
                .put("mono_ns", RecordFormat.monoNanos(rec, 0)).put("record", Base64.getEncoder().encodeToString(rec))
                .put("prev_mac", HexFormat.of().formatHex(data.consumeBytes(32))).put("mac", HexFormat.of().formatHex(new byte[32]));
        return JSON.writeValueAsBytes(v);
    }

    private static byte[] seal(FuzzedDataProvider data) throws Exception {
        ObjectNode v = JSON.createObjectNode();
        v.put("schema", SealMessage.SCHEMA).put("log_id", LOG_ID).put("host", "host");
        v.putObject("genesis").put("record", Base64.getEncoder().encodeToString(data.consumeBytes(200)))
                .put("mac", HexFormat.of().formatHex(data.consumeBytes(32)));
        v.putObject("seal").put("seq", data.consumeLong()).put("mac", data.consumeString(64))
                .put("time_ns", data.consumeLong()).put("signature", data.consumeString(128));
        return JSON.writeValueAsBytes(v);
    }
}
