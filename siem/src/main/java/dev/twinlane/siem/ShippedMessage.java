package dev.twinlane.siem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;

/**
 * One security-topic message, read with Jackson's streaming parser instead of a tree: its plain
 * fields as a tree would give them ({@code asText}, {@code asLong}), and where its {@code event}
 * or {@code wal} object lies in the message's bytes. A tree per message was most of the
 * consumer's time; the byte span lets the consumer compare the shipped event with the one it
 * renders from the record without parsing either when they are the same bytes (the exporter
 * renders with the same code). Whatever the byte comparison cannot decide goes to a tree
 * comparison, as before.
 */
final class ShippedMessage {
    private static final long ABSENT = Long.MIN_VALUE;
    /** The members a plain read knows (kind_name it skips), in the exporter's order (SecurityMessage), which is where a name is looked for first. */
    private static final byte[][] PLAIN_NAMES = ascii("schema", "host", "log_id", "seq", "kind", "kind_name", "time_ns", "mono_ns",
        "key_id", "epoch", "prev_mac", "mac", "record", "leaf_index", "tree_size", "event", "wal");
    /** The same as {@code "NAME":}, the form in which the exporter writes them. */
    private static final byte[][] PLAIN_KEYS = keys(PLAIN_NAMES);
    private static final int SCHEMA = 0;
    private static final int HOST = 1;
    private static final int LOG_ID = 2;
    private static final int SEQ = 3;
    private static final int KIND = 4;
    private static final int KIND_NAME = 5;
    private static final int TIME_NS = 6;
    private static final int MONO_NS = 7;
    private static final int KEY_ID = 8;
    private static final int EPOCH = 9;
    private static final int PREV_MAC = 10;
    private static final int MAC = 11;
    private static final int RECORD = 12;
    private static final int LEAF_INDEX = 13;
    private static final int TREE_SIZE = 14;
    private static final int EVENT = 15;
    private static final int WAL = 16;

    String schema;
    String host;
    String logId;
    String keyId;
    /** record, prev_mac and mac: read from the message's bytes on demand ({@link #record}, {@link #prevMac}, {@link #mac}). */
    private final Binary record = new Binary();
    private final Binary prevMac = new Binary();
    private final Binary mac = new Binary();
    private long seq;
    private long kind;
    private long epoch;
    private long timeNs;
    private long monoNs;
    private long leafIndex;
    private long treeSize;
    /** The message's event (or wal) value: [start, end) in its bytes; start -1 when absent. */
    private int valueStart;
    private int valueEnd;
    private boolean valueIsObject;
    private boolean unparsed;
    private boolean guessed;
    private final PlainJson plain = new PlainJson();
    private final LastText lastSchema = new LastText();
    private final LastText lastHost = new LastText();
    private final LastText lastLogId = new LastText();
    private final LastText lastKeyId = new LastText();

    private final JsonFactory factory;

    ShippedMessage(JsonFactory factory) {
        this.factory = factory;
    }

    /** Reads {@code message} as a parser does; throws on anything that is not JSON (as a tree parse would). */
    void read(byte[] message) throws IOException {
        read(message, false);
    }

    /**
     * With {@code plainFirst}, a message in the exporter's plain form is read without a parser,
     * and its event (or wal) object is taken to be its last member, up to its closing brace,
     * without a look inside ({@link #guessed}). Otherwise, as a parser reads it.
     */
    void read(byte[] message, boolean plainFirst) throws IOException {
        clear();
        if (plainFirst && readPlain(message)) {
            return;
        }
        clear();
        try (JsonParser p = factory.createParser(message)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                if (t != null) {
                    p.skipChildren(); // not an object: every field stays absent, but malformed JSON still throws
                }
                return;
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                if (field(p, p.currentName(), p.nextToken(), message)) {
                    return;
                }
            }
        }
    }

    private static byte[][] keys(byte[][] names) {
        byte[][] k = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            k[i] = ascii("\"" + new String(names[i], java.nio.charset.StandardCharsets.US_ASCII) + "\":")[0];
        }
        return k;
    }

    private static byte[][] ascii(String... names) {
        byte[][] b = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            b[i] = names[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return b;
    }

    private void clear() {
        schema = host = logId = keyId = "";
        record.absent();
        prevMac.absent();
        mac.absent();
        seq = kind = epoch = timeNs = monoNs = leafIndex = treeSize = ABSENT;
        valueStart = valueEnd = -1;
        valueIsObject = false;
        unparsed = false;
        guessed = false;
    }

    /**
     * The exporter's form: plain members ({@link PlainJson}), the event or wal object last. Its
     * extent is guessed from the message's end and proven only by the consumer's comparison with
     * its own rendering: a rendering is one whole object, so if the bytes there are the
     * rendering's, the object ends there. When they are not, the consumer reads the message
     * again as a parser does ({@link #guessed}). False, fields undefined, in any other form.
     */
    private boolean readPlain(byte[] message) {
        PlainJson j = plain;
        j.reset(message);
        if (!j.take('{')) {
            return false;
        }
        int next = 0;
        do {
            int which;
            if (next < PLAIN_KEYS.length && j.key(PLAIN_KEYS[next])) {
                which = next;
            } else if (j.string() && j.take(':')) {
                which = j.which(PLAIN_NAMES, next);
            } else {
                return false;
            }
            next = which < 0 ? next : which + 1;
            if (which == EVENT || which == WAL) {
                return guessLast(j, message);
            }
            if (!plainMember(j, which)) {
                return false;
            }
        } while (j.take(','));
        return false;
    }

    /** The member whose name was just read ({@link #PLAIN_NAMES}); false when its value is not of the plain form its name wants. */
    private boolean plainMember(PlainJson j, int which) {
        switch (which) {
            case SCHEMA, HOST, LOG_ID, KEY_ID -> {
                return plainText(j, which);
            }
            case RECORD, PREV_MAC, MAC -> {
                if (!j.encoded()) {
                    return false;
                }
                (which == RECORD ? record : which == MAC ? mac : prevMac).span(j.start, j.end);
                return true;
            }
            case -1, KIND_NAME -> {
                return j.at('"') ? j.string() : j.integer(); // a member we do not read
            }
            default -> {
                return plainNumber(j, which);
            }
        }
    }

    private boolean plainText(PlainJson j, int which) {
        if (!j.string()) {
            return false;
        }
        switch (which) {
            case HOST -> host = j.text(lastHost);
            case LOG_ID -> logId = j.text(lastLogId);
            case KEY_ID -> keyId = j.text(lastKeyId);
            default -> schema = j.text(lastSchema);
        }
        return true;
    }

    private boolean plainNumber(PlainJson j, int which) {
        if (!j.integer()) {
            return false;
        }
        long v = j.number;
        switch (which) {
            case SEQ -> seq = v;
            case KIND -> kind = v;
            case EPOCH -> epoch = v;
            case TIME_NS -> timeNs = v;
            case MONO_NS -> monoNs = v;
            case LEAF_INDEX -> leafIndex = v;
            case TREE_SIZE -> treeSize = v;
            default -> {
            }
        }
        return true;
    }

    /** An object from here to the message's closing brace (blanks after it allowed): its guessed extent. */
    private boolean guessLast(PlainJson j, byte[] message) {
        int close = message.length - 1;
        while (close > 0 && JsonScan.blank(message, close, close + 1)) {
            close--;
        }
        int start = j.position();
        if (!j.at('{') || close - 1 <= start || message[close] != '}' || message[close - 1] != '}') {
            return false;
        }
        valueStart = start;
        valueEnd = close;
        valueIsObject = true;
        unparsed = true;
        guessed = true;
        return true;
    }

    /** Whether the fields come from a plain read whose event extent is a guess: see {@link #read(byte[], boolean)}. */
    boolean guessed() {
        return guessed;
    }

    /** One member; true when reading stops at it (see {@link #value}). */
    private boolean field(JsonParser p, String name, JsonToken t, byte[] message) throws IOException {
        switch (name) {
            case "schema" -> schema = text(p, t);
            case "host" -> host = text(p, t);
            case "log_id" -> logId = text(p, t);
            case "key_id" -> keyId = text(p, t);
            case "record" -> record.read(p, t);
            case "prev_mac" -> prevMac.read(p, t);
            case "mac" -> mac.read(p, t);
            case "seq" -> seq = number(p, t);
            case "kind" -> kind = number(p, t);
            case "epoch" -> epoch = number(p, t);
            case "time_ns" -> timeNs = number(p, t);
            case "mono_ns" -> monoNs = number(p, t);
            case "leaf_index" -> leafIndex = present(number(p, t));
            case "tree_size" -> treeSize = present(number(p, t));
            case "event", "wal" -> {
                return value(p, t, message);
            }
            default -> p.skipChildren();
        }
        return false;
    }

    /** A member that is there counts even when asLong() would give its default (0). */
    private static long present(long v) {
        return v == ABSENT ? 0 : v;
    }

    /** A tree node's asText(): scalars' text, "" for objects and arrays. */
    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t.isStructStart()) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    /** A tree node's asLong() before its default is applied: ABSENT where it would give the default. */
    private static long number(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue()
                        : t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : (long) p.getDoubleValue();
            }
            case VALUE_STRING -> {
                return NumberInput.parseAsLong(p.getText(), ABSENT);
            }
            case VALUE_TRUE -> {
                return 1;
            }
            case VALUE_FALSE -> {
                return 0;
            }
            case START_OBJECT, START_ARRAY -> {
                p.skipChildren();
                return ABSENT;
            }
            default -> {
                return ABSENT;
            }
        }
    }

    /**
     * The event or wal value. When it is an object that closes just before the message's own
     * closing brace (as the exporter writes it, last), its bytes are not parsed here and reading
     * stops: the consumer compares them with its own rendering, and parses the message only when
     * they differ ({@link #unparsed}). Otherwise the parser reads through it.
     */
    private boolean value(JsonParser p, JsonToken t, byte[] message) throws IOException {
        valueStart = (int) p.currentTokenLocation().getByteOffset();
        valueIsObject = t == JsonToken.START_OBJECT;
        if (valueIsObject) {
            int end = JsonScan.end(message, valueStart, message.length);
            int close = end < 0 ? -1 : skipBlank(message, end);
            if (close >= 0 && close < message.length && message[close] == '}' && JsonScan.blank(message, close + 1, message.length)) {
                valueEnd = end;
                unparsed = true;
                return true;
            }
        }
        p.skipChildren();
        valueEnd = (int) p.currentLocation().getByteOffset();
        unparsed = false;
        return false;
    }

    private static int skipBlank(byte[] b, int i) {
        while (i < b.length && JsonScan.blank(b, i, i + 1)) {
            i++;
        }
        return i;
    }

    /** Whether the message's last value was left unparsed: it is JSON if that value equals a rendering, else ask a parser. */
    boolean unparsed() {
        return unparsed;
    }

    long seq(long otherwise) {
        return seq == ABSENT ? otherwise : seq;
    }

    long kind() {
        return kind == ABSENT ? 0 : kind;
    }

    long epoch() {
        return epoch == ABSENT ? 0 : epoch;
    }

    long timeNs() {
        return timeNs == ABSENT ? 0 : timeNs;
    }

    long monoNs() {
        return monoNs == ABSENT ? 0 : monoNs;
    }

    boolean hasLeafIndex() {
        return leafIndex != ABSENT;
    }

    long leafIndex() {
        return leafIndex;
    }

    boolean hasTreeSize() {
        return treeSize != ABSENT;
    }

    long treeSize() {
        return treeSize;
    }

    /** The record (header and payload), base64-decoded as {@link Base64#getDecoder()} decodes the member's text. */
    byte[] record(byte[] message) {
        return record.base64(message);
    }

    /** The 32 bytes of prev_mac's 64 hex digits. */
    byte[] prevMac(byte[] message) {
        return prevMac.hex(message, 32);
    }

    byte[] mac(byte[] message) {
        return mac.hex(message, 32);
    }

    /**
     * A string member decoded from the message's bytes when a plain read found it (no String of
     * the base64 record, the longest member), else from the parser's text.
     */
    private static final class Binary {
        /** A hex digit's value by byte (either case, as HexFormat reads them), -1 for any other byte: a MAC's digits in a table look-up each. */
        private static final int[] HEX_VALUE = new int[256];

        static {
            Arrays.fill(HEX_VALUE, -1);
            for (int c = 0; c < 256; c++) {
                if (HexFormat.isHexDigit(c)) {
                    HEX_VALUE[c] = HexFormat.fromHexDigit(c);
                }
            }
        }

        private int start;
        private int end;
        private String text;

        void absent() {
            start = end = 0;
            text = "";
        }

        void read(JsonParser p, JsonToken t) throws IOException {
            text = text(p, t);
        }

        /** Plain text at [from, to) of the message: no String made. */
        void span(int from, int to) {
            start = from;
            end = to;
            text = null;
        }

        byte[] base64(byte[] message) {
            if (text != null) {
                return Base64.getDecoder().decode(text);
            }
            ByteBuffer b = Base64.getDecoder().decode(ByteBuffer.wrap(message, start, end - start));
            return b.arrayOffset() == 0 && b.remaining() == b.array().length ? b.array()
                    : Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
        }

        byte[] hex(byte[] message, int bytes) {
            int n = text != null ? text.length() : end - start;
            if (n != bytes * 2) {
                throw new IllegalArgumentException("expected " + bytes * 2 + " hex digits");
            }
            if (text != null) {
                return HexFormat.of().parseHex(text);
            }
            byte[] out = new byte[bytes];
            for (int i = 0, at = start; i < bytes; i++, at += 2) {
                int v = HEX_VALUE[message[at] & 0xFF] << 4 | HEX_VALUE[message[at + 1] & 0xFF];
                if (v < 0) {
                    return digitByDigit(message, bytes); // throws as HexFormat does
                }
                out[i] = (byte) v;
            }
            return out;
        }

        private byte[] digitByDigit(byte[] message, int bytes) {
            byte[] out = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                out[i] = (byte) (HexFormat.fromHexDigit(message[start + 2 * i]) << 4
                        | HexFormat.fromHexDigit(message[start + 2 * i + 1]));
            }
            return out;
        }
    }

    /** True when the event (or wal) value is an object of exactly these bytes; false means "not known". */
    boolean valueIs(byte[] message, byte[] json, int len) {
        return valueIsObject && valueEnd - valueStart == len
                && Arrays.equals(message, valueStart, valueEnd, json, 0, len);
    }
}
