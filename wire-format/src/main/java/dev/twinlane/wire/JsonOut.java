package dev.twinlane.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A small JSON writer into one reused byte array (ASCII out: anything else is escaped as a unicode escape), so
 * the exporter renders a record without building a tree or a String per field. The caller
 * writes well-formed structure: {@link #name} before a value inside objects; commas are placed
 * here.
 */
public final class JsonOut {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
        }
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private byte[] buf;
    private int len;
    /** One bit per nesting level: whether the next member needs a comma before it. */
    private long needComma;
    private int depth;

    public JsonOut(int capacity) {
        buf = new byte[capacity];
    }

    public JsonOut reset() {
        len = 0;
        depth = 0;
        needComma = 0;
        return this;
    }

    public int length() {
        return len;
    }

    public byte[] buffer() {
        return buf;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void comma() {
        long bit = 1L << depth;
        if ((needComma & bit) != 0) {
            put((byte) ',');
        } else {
            needComma |= bit;
        }
    }

    /** Opens an object (as a value: after {@link #name} or at the top). */
    public JsonOut begin() {
        put((byte) '{');
        depth++;
        needComma &= ~(1L << depth);
        return this;
    }

    public JsonOut end() {
        depth--;
        put((byte) '}');
        return this;
    }

    public JsonOut beginArray() {
        put((byte) '[');
        depth++;
        needComma &= ~(1L << depth);
        return this;
    }

    public JsonOut endArray() {
        depth--;
        put((byte) ']');
        return this;
    }

    /** An array element's separator; call before each element value. */
    public JsonOut element() {
        comma();
        return this;
    }

    /** A member name (ASCII without escapes: our own constants). */
    public JsonOut name(String n) {
        comma();
        ensure(n.length() + 3);
        buf[len++] = '"';
        ascii(n);
        buf[len++] = '"';
        buf[len++] = ':';
        return this;
    }

    /**
     * The chars of {@code s}, one byte each (their low 8 bits: for our ASCII constants, the text),
     * with room already ensured. String.getBytes(int, int, byte[], int) is deprecated for doing
     * just that, and does it as one array copy: a loop of charAt took half again as long, and an
     * event writes some 50 names.
     */
    @SuppressWarnings("deprecation")
    private void ascii(String s) {
        s.getBytes(0, s.length(), buf, len);
        len += s.length();
    }

    public JsonOut str(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                buf[len++] = (byte) c;
            } else {
                escape(c);
                ensure(n - i + 1);
            }
        }
        buf[len++] = '"';
        return this;
    }

    /** A quoted decimal number, e.g. a uid as OCSF's string fields want it. */
    public JsonOut quotedNum(long v) {
        put((byte) '"');
        num(v);
        return put2('"');
    }

    /** {@code "A:B"}, both unsigned decimal (exec ids, dev:ino). */
    public JsonOut pair(long a, long b) {
        put((byte) '"');
        unsigned(a);
        put((byte) ':');
        unsigned(b);
        return put2('"');
    }

    /** {@code "TEXT:N"} (log id and seq). */
    public JsonOut strNum(String text, long n) {
        ensure(text.length() + 2);
        buf[len++] = '"';
        ascii(text);
        buf[len++] = ':';
        num(n);
        return put2('"');
    }

    /** {@code "a.b.c.d"} (an IPv4 address). */
    public JsonOut strJoinDots(int a, int b, int c, int d) {
        put((byte) '"');
        num(a);
        put((byte) '.');
        num(b);
        put((byte) '.');
        num(c);
        put((byte) '.');
        num(d);
        return put2('"');
    }

    /** {@code "A: B"} (OCSF type names). */
    public JsonOut strJoin(String a, String b) {
        ensure(a.length() + b.length() + 4);
        buf[len++] = '"';
        ascii(a);
        buf[len++] = ':';
        buf[len++] = ' ';
        ascii(b);
        buf[len++] = '"';
        return this;
    }

    /**
     * UTF-8 bytes as a quoted string: ASCII is copied (escaped where JSON needs it), anything
     * else goes through {@link #str} (decoded, then escaped).
     */
    public JsonOut utf8(byte[] b, int off, int n) {
        return utf8(b, off, n, false);
    }

    /** Like {@link #utf8}, NUL bytes written as spaces (argv). */
    public JsonOut utf8NulAsSpace(byte[] b, int off, int n) {
        return utf8(b, off, n, true);
    }

    private JsonOut utf8(byte[] b, int off, int n, boolean nulAsSpace) {
        for (int i = off; i < off + n; i++) {
            if (b[i] < 0) {
                String s = new String(b, off, n, StandardCharsets.UTF_8);
                return str(nulAsSpace ? s.replace('\0', ' ') : s);
            }
        }
        ensure(n + 2);
        buf[len++] = '"';
        for (int i = off; i < off + n; i++) {
            byte c = b[i];
            if (c == 0 && nulAsSpace) {
                c = ' ';
            }
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
                buf[len++] = c;
            } else {
                escape((char) c);
                ensure(off + n - i + 1);
            }
        }
        buf[len++] = '"';
        return this;
    }

    private JsonOut put2(char c) {
        put((byte) c);
        return this;
    }

    private void escape(char c) {
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"' -> buf[len++] = '"';
            case '\\' -> buf[len++] = '\\';
            case '\n' -> buf[len++] = 'n';
            case '\r' -> buf[len++] = 'r';
            case '\t' -> buf[len++] = 't';
            default -> {
                buf[len++] = 'u';
                buf[len++] = HEX[(c >> 12) & 0xF];
                buf[len++] = HEX[(c >> 8) & 0xF];
                buf[len++] = HEX[(c >> 4) & 0xF];
                buf[len++] = HEX[c & 0xF];
            }
        }
    }

    public JsonOut num(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return literal("-9223372036854775808");
            }
            buf[len++] = '-';
            v = -v;
        }
        int end = len + digits(v);
        int i = end;
        while (v >= 100) {
            int r = (int) (v % 100);
            v /= 100;
            buf[--i] = DIGIT_ONES[r];
            buf[--i] = DIGIT_TENS[r];
        }
        if (v >= 10) {
            buf[--i] = DIGIT_ONES[(int) v];
            buf[--i] = DIGIT_TENS[(int) v];
        } else {
            buf[--i] = (byte) ('0' + v);
        }
        len = end;
        return this;
    }

    /**
     * Decimal digits of {@code v} >= 0, from its bit length (x 1233 / 4096 is log10(2) closely
     * enough below 2^63) instead of a loop: nanosecond times have 19, and an event has several.
     */
    static int digits(long v) {
        int t = (64 - Long.numberOfLeadingZeros(v | 1)) * 1233 >>> 12;
        return Math.max(1, v >= POWERS_OF_TEN[t] ? t + 1 : t);
    }

    /** An unsigned 64-bit value (kernel u64 fields). */
    public JsonOut unsigned(long v) {
        if (v >= 0) {
            return num(v);
        }
        String s = Long.toUnsignedString(v);
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    public JsonOut bool(boolean b) {
        return literal(b ? "true" : "false");
    }

    public JsonOut nul() {
        return literal("null");
    }

    private JsonOut literal(String s) {
        ensure(s.length());
        ascii(s);
        return this;
    }

    /** Lower-case hex of bytes, quoted. */
    public JsonOut hex(byte[] b, int off, int n) {
        ensure(n * 2 + 2);
        buf[len++] = '"';
        for (int i = off; i < off + n; i++) {
            buf[len++] = HEX[(b[i] >> 4) & 0xF];
            buf[len++] = HEX[b[i] & 0xF];
        }
        buf[len++] = '"';
        return this;
    }

    public JsonOut hex(byte[] b) {
        return hex(b, 0, b.length);
    }

    /** Standard base64 (RFC 4648, padded) of bytes, quoted. */
    public JsonOut base64(byte[] b, int off, int n) {
        ensure((n + 2) / 3 * 4 + 2);
        buf[len++] = '"';
        int end = off + n - n % 3;
        int i = off;
        for (; i < end; i += 3) {
            int v = (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF);
            buf[len++] = B64[v >>> 18];
            buf[len++] = B64[(v >>> 12) & 0x3F];
            buf[len++] = B64[(v >>> 6) & 0x3F];
            buf[len++] = B64[v & 0x3F];
        }
        int rest = off + n - i;
        if (rest == 1) {
            int v = (b[i] & 0xFF) << 16;
            buf[len++] = B64[v >>> 18];
            buf[len++] = B64[(v >>> 12) & 0x3F];
            buf[len++] = '=';
            buf[len++] = '=';
        } else if (rest == 2) {
            int v = (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8;
            buf[len++] = B64[v >>> 18];
            buf[len++] = B64[(v >>> 12) & 0x3F];
            buf[len++] = B64[(v >>> 6) & 0x3F];
            buf[len++] = '=';
        }
        buf[len++] = '"';
        return this;
    }

    /**
     * Members rendered once by {@link #members(Consumer)} and written again by {@link
     * #members(Members)} as bytes: an OCSF event's constant parts (its class, the metadata's
     * product and profiles), which were half of the time of rendering one member by member.
     */
    public static final class Members {
        private final byte[] bytes;
        /** Objects or arrays its last member leaves open, and their comma bits from the outermost. */
        private final int opened;
        private final long openComma;

        private Members(byte[] bytes, int opened, long openComma) {
            this.bytes = bytes;
            this.opened = opened;
            this.openComma = openComma;
        }
    }

    /**
     * Renders {@code render}'s members once, as inside an object; the last may leave objects or
     * arrays open, for the caller of {@link #members(Members)} to go on and close.
     */
    public static Members members(Consumer<JsonOut> render) {
        JsonOut o = new JsonOut(256).begin();
        render.accept(o);
        if (o.depth < 1 || o.len < 2) {
            throw new IllegalArgumentException("not members of an object");
        }
        int opened = o.depth - 1;
        return new Members(Arrays.copyOfRange(o.buf, 1, o.len), opened, o.needComma >>> 2 & ((1L << opened) - 1));
    }

    /** Writes members as the calls that rendered them would have (commas, open objects and all). */
    public JsonOut members(Members m) {
        comma();
        raw(m.bytes, 0, m.bytes.length);
        needComma = needComma & ((2L << depth) - 1) | m.openComma << (depth + 1);
        depth += m.opened;
        return this;
    }

    /** Bytes that already are one JSON value (e.g. an observability batch), verbatim. */
    public JsonOut raw(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }
}
