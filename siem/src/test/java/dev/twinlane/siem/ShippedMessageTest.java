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
    void anObjectEndsWhereItsBracesBalance() {
        String nested = "{\"a\":[{\"b\":\"]\"}],\"c\":2}";
        assertEquals(nested.length(), JsonScan.end(bytes(nested + "tail"), 0, nested.length() + 4));
        assertEquals(-1, JsonScan.end(bytes("{\"a\":\"}"), 0, 6));
    }

    @Test
    void aPlainReadGivesWhatAParserGives() throws Exception {
        String mac = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        String head = "{\"schema\":\"twinlane.security/1\",\"host\":\"h-1\",\"log_id\":\"ab\",\"seq\":42,\"kind\":2,"
                + "\"kind_name\":\"file_open\",\"time_ns\":9223372036854775807,\"mono_ns\":-7,\"key_id\":\"9c981efe\",\"epoch\":0,"
                + "\"prev_mac\":\"" + mac + "\",\"mac\":\"" + mac.toUpperCase() + "\",\"record\":\"AQID\",\"leaf_index\":41,\"tree_size\":50,";
        String event = "{\"a\":\"}\",\"unmapped\":{\"k\":1}}";
        String message = head + "\"event\":" + event + "}\n";
        ShippedMessage plain = new ShippedMessage(JSON.getFactory());
        byte[] m = bytes(message);
        plain.read(m, true);
        assertTrue(plain.guessed());
        assertTrue(plain.valueIs(m, bytes(event), event.length()));
        ShippedMessage parsed = read(message);
        assertFalse(parsed.guessed());
        for (ShippedMessage x : new ShippedMessage[] {plain, parsed}) {
            assertEquals("h-1", x.host);
            assertEquals(42, x.seq(-1));
            assertEquals(Long.MAX_VALUE, x.timeNs());
            assertEquals(-7, x.monoNs());
            assertEquals(50, x.treeSize());
            assertEquals(41, x.leafIndex());
            assertEquals("9c981efe", x.keyId);
            assertEquals(3, x.record(m).length);
            assertEquals(java.util.Arrays.toString(x.mac(m)), java.util.Arrays.toString(x.prevMac(m)));
        }
    }

    @Test
    void aPlainReadGivesUpOnAnythingElse() throws Exception {
        String[] notPlain = {
            "{\"host\":\"h\\u0031\",\"event\":{}}", "{\"seq\":01,\"event\":{}}", "{\"seq\":9223372036854775808,\"event\":{}}",
            "{\"seq\":1.0,\"event\":{}}", "{ \"seq\":1,\"event\":{}}", "{\"seq\":\"1\",\"event\":{}}", "{\"host\":\"h\"}",
            "{\"event\":null}", "{\"x\":{},\"event\":{}}", "{\"event\":{\"a\":1}, }",
        };
        for (String s : notPlain) {
            ShippedMessage m = new ShippedMessage(JSON.getFactory());
            try {
                m.read(bytes(s), true);
            } catch (java.io.IOException e) {
                continue; // not JSON: the parser's verdict
            }
            assertFalse(m.guessed(), s);
        }
        String notLast = "{\"seq\":1,\"event\":{\"a\":1},\"x\":{}}";
        ShippedMessage m = new ShippedMessage(JSON.getFactory());
        m.read(bytes(notLast), true);
        assertTrue(m.guessed(), "a guess the comparison then refutes");
        assertFalse(m.valueIs(bytes(notLast), bytes("{\"a\":1}"), 7));
        String escapedRecord = "{\"record\":\"AQ\\u0049D\",\"event\":{}}";
        m.read(bytes(escapedRecord), true);
        assertFalse(m.guessed());
        assertEquals(3, m.record(bytes(escapedRecord)).length, "decoded from the parser's text");
    }

    @Test
    void macDigitsAreReadAsHexFormatReadsThem() throws Exception {
        String good = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
        for (String mac : new String[] {good, good.replace('7', 'g'), good.replace('F', ' '), good.replace('0', '\u00e9')}) {
            String message = "{\"mac\":\"" + mac + "\",\"event\":{}}";
            byte[] b = bytes(message);
            ShippedMessage m = new ShippedMessage(JSON.getFactory());
            m.read(b, true);
            String expected;
            try {
                expected = java.util.Arrays.toString(java.util.HexFormat.of().parseHex(mac));
            } catch (IllegalArgumentException e) {
                expected = "refused";
            }
            String got;
            try {
                got = java.util.Arrays.toString(m.mac(b));
            } catch (IllegalArgumentException e) {
                got = "refused";
            }
            assertEquals(expected, got, mac);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
