package dev.twinlane.siem;

import java.io.IOException;
import java.util.Arrays;

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

    String schema;
    String host;
    String logId;
    String keyId;
    String record;
    String prevMac;
    String mac;
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

    private final JsonFactory factory;

    ShippedMessage(JsonFactory factory) {
        this.factory = factory;
    }

    /** Reads {@code message}; throws on anything that is not JSON (as a tree parse would). */
    void read(byte[] message) throws IOException {
        schema = host = logId = keyId = record = prevMac = mac = "";
        seq = kind = epoch = timeNs = monoNs = leafIndex = treeSize = ABSENT;
        valueStart = valueEnd = -1;
        valueIsObject = false;
        unparsed = false;
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

    /** One member; true when reading stops at it (see {@link #value}). */
    private boolean field(JsonParser p, String name, JsonToken t, byte[] message) throws IOException {
        switch (name) {
            case "schema" -> schema = text(p, t);
            case "host" -> host = text(p, t);
            case "log_id" -> logId = text(p, t);
            case "key_id" -> keyId = text(p, t);
            case "record" -> record = text(p, t);
            case "prev_mac" -> prevMac = text(p, t);
            case "mac" -> mac = text(p, t);
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

    /** True when the event (or wal) value is an object of exactly these bytes; false means "not known". */
    boolean valueIs(byte[] message, byte[] json, int len) {
        return valueIsObject && valueEnd - valueStart == len
                && Arrays.equals(message, valueStart, valueEnd, json, 0, len);
    }
}
