package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The streaming read of a message gives what a tree gives, and the byte scan finds the structure a parser finds. */
class ShippedMessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ShippedMessage read(String json) throws Exception {
        ShippedMessage m = new ShippedMessage(JSON.getFactory());
        m.read(json.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    @Test
    void fieldsAsATreeGivesThem() throws Exception {
        String[] messages = {
            "{\"schema\":\"s\",\"seq\":\"12\",\"kind\":7.9,\"epoch\":true,\"key_id\":5,\"host\":null,\"leaf_index\":null,\"event\":{}}",
            "{\"event\":{\"a\":\"}\"},\"seq\":3,\"seq\":4,\"time_ns\":[1],\"mono_ns\":99,\"tree_size\":\"x\"}",
            "[1,2]", "",
        };
        for (String s : messages) {
            ShippedMessage m = read(s);
            JsonNode v = s.isEmpty() ? JSON.missingNode() : JSON.readTree(s);
            assertEquals(v.path("schema").asText(), m.schema, s);
            assertEquals(v.path("host").asText(), m.host, s);
            assertEquals(v.path("key_id").asText(), m.keyId, s);
            assertEquals(v.path("seq").asLong(-1), m.seq(-1), s);
            assertEquals(v.path("seq").asLong(), m.seq(0), s);
            assertEquals(v.path("kind").asInt(), m.kind(), s);
            assertEquals(v.path("epoch").asInt(), m.epoch(), s);
            assertEquals(v.path("time_ns").asLong(), m.timeNs(), s);
            assertEquals(v.path("mono_ns").asLong(), m.monoNs(), s);
            assertEquals(v.has("leaf_index"), m.hasLeafIndex(), s);
            assertEquals(v.has("tree_size"), m.hasTreeSize(), s);
        }
    }

    @Test
    void aLastEventIsComparedByItsBytesAndOnlyThen() throws Exception {
        String event = "{\"a\":\"}{\\\"\",\"unmapped\":{\"k\":1}}";
        byte[] mine = event.getBytes(StandardCharsets.UTF_8);
        ShippedMessage last = read("{\"seq\":1,\"event\":" + event + " }\n");
        assertTrue(last.unparsed());
        assertTrue(last.valueIs(("{\"seq\":1,\"event\":" + event + " }\n").getBytes(StandardCharsets.UTF_8), mine, mine.length));
        String first = "{\"event\":" + event + ",\"seq\":1}";
        ShippedMessage notLast = read(first);
        assertFalse(notLast.unparsed());
        assertTrue(notLast.valueIs(first.getBytes(StandardCharsets.UTF_8), mine, mine.length));
        String broken = "{\"seq\":1,\"event\":{\"a\":tru}}";
        ShippedMessage unparsed = read(broken);
        assertTrue(unparsed.unparsed(), "left to the comparison, which a parser then decides");
        assertFalse(unparsed.valueIs(broken.getBytes(StandardCharsets.UTF_8), mine, mine.length));
    }

    @Test
    void verificationGoesIntoALastUnmappedObject() {
        String ok = "{\"x\":{\"unmapped\":{}},\"s\":\"\\\"unmapped\\\":{\",\"unmapped\":{\"k\":\"}\"}}";
        assertEquals(ok.lastIndexOf('}') - 1, JsonScan.verificationAt(bytes(ok), ok.length()));
        for (String no : new String[] {
            "{\"unmapped\":{\"k\":1},\"b\":2}",
            "{\"unmapped\":{\"verification\":{}}}",
            "{\"unmapped\":{\"k\":1},\"unmapped\":{\"k\":2}}",
            "{\"unmapped\":[1]}",
            "{\"a\":1}",
        }) {
            assertEquals(-1, JsonScan.verificationAt(bytes(no), no.length()), no);
        }
        String nested = "{\"a\":[{\"b\":\"]\"}],\"c\":2}";
        assertEquals(nested.length(), JsonScan.end(bytes(nested + "tail"), 0, nested.length() + 4));
        assertEquals(-1, JsonScan.end(bytes("{\"a\":\"}"), 0, 6));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
