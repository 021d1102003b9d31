package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class JsonOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void base64MatchesTheJdkForEveryLengthAndOffset() throws Exception {
        Random r = new Random(1);
        JsonOut o = new JsonOut(16);
        for (int n = 0; n < 200; n++) {
            byte[] b = new byte[n + 3];
            r.nextBytes(b);
            o.reset().base64(b, 3, n);
            assertEquals('"' + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(b, 3, 3 + n)) + '"',
                    o.toString());
        }
    }

    @Test
    void stringsAndNumbersRoundTripThroughAJsonParser() throws Exception {
        String tricky = "a\"b\\c\n\t\u0001 é ✓ \uD83D\uDE00 /etc/pass wd";
        JsonOut o = new JsonOut(8).begin().name("s").str(tricky).name("min").num(Long.MIN_VALUE).name("neg").num(-42)
                .name("u").unsigned(-1L).name("arr").beginArray().element().num(1).element().str("x").element().nul()
                .endArray().name("obj").begin().name("t").bool(true).end().name("hex").hex(new byte[] {0, 15, -1}).end();
        JsonNode n = JSON.readTree(o.toBytes());
        assertEquals(tricky, n.get("s").asText());
        assertEquals(Long.MIN_VALUE, n.get("min").asLong());
        assertEquals(-42, n.get("neg").asLong());
        assertEquals("18446744073709551615", n.get("u").asText());
        assertEquals("[1,\"x\",null]", n.get("arr").toString());
        assertEquals(true, n.get("obj").get("t").asBoolean());
        assertEquals("000fff", n.get("hex").asText());
        for (byte b : o.toBytes()) {
            assertEquals(true, b >= 0x20 && b < 0x7f, "ASCII only");
        }
    }

    @Test
    void numbersAsLongToStringWritesThem() {
        JsonOut o = new JsonOut(4);
        long p = 1;
        for (int i = 0; i <= 18; i++, p *= 10) { // every digit count, at its edges
            for (long v : new long[] {p - 1, p, p + 1, -p, 2 * p - 1}) {
                assertEquals(Long.toString(v), o.reset().num(v).toString());
            }
        }
        for (long v : new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1796640632584000000L}) {
            assertEquals(Long.toString(v), o.reset().num(v).toString());
        }
    }

    @Test
    void membersRenderedOnceAreWrittenAsTheirCallsWouldBe() {
        JsonOut.Members closed = JsonOut.members(o -> o.name("a").num(1).name("b").beginArray().element().str("x").endArray());
        JsonOut.Members open = JsonOut.members(o -> o.name("m").begin().name("v").str("1.8.0").name("p").begin().name("q").num(2));
        JsonOut.Members openEmpty = JsonOut.members(o -> o.name("e").begin());
        JsonOut direct = new JsonOut(8).begin().name("z").num(0).name("a").num(1).name("b").beginArray().element().str("x")
                .endArray().name("m").begin().name("v").str("1.8.0").name("p").begin().name("q").num(2).name("r").num(3).end()
                .name("s").num(4).end().name("e").begin().name("f").num(5).end().end();
        JsonOut replayed = new JsonOut(8).begin().name("z").num(0).members(closed).members(open).name("r").num(3).end()
                .name("s").num(4).end().members(openEmpty).name("f").num(5).end().end();
        assertEquals(direct.toString(), replayed.toString());
        assertEquals("{\"a\":1,\"b\":[\"x\"]}", new JsonOut(8).begin().members(closed).end().toString(), "first member: no comma");
    }
}
