package dev.twinlane.siem;

/**
 * A cursor over JSON bytes that reads only the plainest forms: strings of printable ASCII
 * without escapes, integers within a long without a leading zero, and no whitespace.
 * That is how twinlane's exporter writes a message's members, and what a tokenizer costs on
 * those bytes is most of reading them. Anything else makes a read return false, and the caller
 * hands the message to a real parser instead, so no form is read differently from one.
 */
final class PlainJson {
    private static final byte[] LONG_MAX = "9223372036854775807".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private byte[] b;
    private int i;
    /** The last string's content: [start, end). */
    int start;
    int end;
    /** The last integer. */
    long number;

    void reset(byte[] bytes) {
        b = bytes;
        i = 0;
    }

    int position() {
        return i;
    }

    boolean at(char c) {
        return i < b.length && b[i] == c;
    }

    boolean take(char c) {
        if (at(c)) {
            i++;
            return true;
        }
        return false;
    }

    /** A string; its content in [start, end). */
    boolean string() {
        if (!take('"')) {
            return false;
        }
        for (int j = i; j < b.length; j++) {
            byte c = b[j];
            if (c == '"') {
                start = i;
                end = j;
                i = j + 1;
                return true;
            }
            if (c == '\\' || c < 0x20 || c == 0x7f) {
                return false; // an escape, a control or a non-ASCII byte (negative)
            }
        }
        return false;
    }

    /**
     * A string without an escape, read for a decoder that refuses anything but its own alphabet
     * (base64, hex): control and non-ASCII bytes are left to that refusal, after which the
     * message is read again by a parser.
     */
    boolean encoded() {
        if (!take('"')) {
            return false;
        }
        int j = JsonScan.quoteOrBackslash(b, i, b.length);
        if (j < 0 || b[j] != '"') {
            return false;
        }
        start = i;
        end = j;
        i = j + 1;
        return true;
    }

    /** An integer, in {@link #number}. */
    boolean integer() {
        boolean negative = take('-');
        int first = i;
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
        }
        int digits = i - first;
        if (digits == 0 || digits > 1 && b[first] == '0' || at('.') || at('e') || at('E') || !fitsLong(first, digits)) {
            return false;
        }
        number = negative ? -v : v;
        return true;
    }

    /** Whether the digits at {@code first} are at most Long.MAX_VALUE (nanosecond times have 19 digits). */
    private boolean fitsLong(int first, int digits) {
        if (digits != LONG_MAX.length) {
            return digits < LONG_MAX.length;
        }
        return java.util.Arrays.compare(b, first, first + digits, LONG_MAX, 0, digits) <= 0;
    }

    /**
     * The index in {@code names} (ASCII) of the string just read, looked for from {@code from} on
     * and then from the start (names that come in a known order are found at the first try); -1
     * if none.
     */
    int which(byte[][] names, int from) {
        for (int k = 0; k < names.length; k++) {
            int n = (from + k) % names.length;
            if (java.util.Arrays.equals(b, start, end, names[n], 0, names[n].length)) {
                return n;
            }
        }
        return -1;
    }

    String text() {
        return new String(b, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The last string's text, the String {@code last} kept when it is the same (a plain string is ASCII: UTF-8 reads it alike). */
    String text(LastText last) {
        return last.of(b, start, end);
    }

    /**
     * A member's name and colon, {@code "NAME":} in {@code key}'s bytes, when that is what comes
     * next; as {@link #string}, {@code take(':')} and {@link #which} finding it would, in one
     * comparison instead of a scan of the name.
     */
    boolean key(byte[] key) {
        int to = i + key.length;
        if (to > b.length || !java.util.Arrays.equals(b, i, to, key, 0, key.length)) {
            return false;
        }
        start = i + 1;
        end = to - 2;
        i = to;
        return true;
    }
}
