package dev.twinlane.siem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-level structure of JSON text without tokenizing it: where an object ends, and where a
 * verification member can go in an OCSF event. Strings are skipped with their escapes, so a
 * brace or name inside a string value is never taken for structure.
 */
final class JsonScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final byte[] UNMAPPED_OBJECT = "\"unmapped\":{".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] VERIFICATION = {'v', 'e', 'r', 'i', 'f', 'i', 'c', 'a', 't', 'i', 'o', 'n'};

    private JsonScan() {
    }

    /** The index just after the object or array opening at {@code b[start]}, or -1 when it does not close before {@code limit}. */
    static int end(byte[] b, int start, int limit) {
        int depth = 0;
        for (int i = start; i < limit; i++) {
            byte c = b[i];
            if (c == '"') {
                i = stringEnd(b, i, limit);
                if (i < 0) {
                    return -1;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Whether {@code b[from, limit)} is only JSON whitespace. */
    static boolean blank(byte[] b, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * In an object {@code b[0, len)} of valid JSON (the consumer's own rendering): the index of
     * the closing brace of its last member when that is {@code "unmapped"}, an object without a
     * {@code "verification"} member; else -1. Looked for from the end, so that only the unmapped
     * object is scanned and not the whole event: the last {@code "unmapped":{} after a comma or
     * an opening brace is a member name (in valid JSON a quote there cannot be inside a string,
     * nor close one, since a name does not follow a closing quote), and when its object ends
     * just before the text's last byte, the object it is a member of is the whole text. Should an
     * object name "unmapped" twice, the verification goes into the last one, which is the one a
     * reader keeping the last of duplicate names sees (Jackson does). The consumer itself splices
     * where Ocsf's renderings end without scanning; OcsfSpliceTest holds them to this.
     */
    static int verificationAt(byte[] b, int len) {
        int brace = lastUnmappedObject(b, len);
        if (brace < 0 || b[len - 1] != '}') {
            return -1;
        }
        return closeWithout(b, brace, len, VERIFICATION) == len - 2 ? len - 2 : -1;
    }

    /** The opening brace of the last {@code "unmapped":{} that follows a comma or an opening brace, or -1. */
    private static int lastUnmappedObject(byte[] b, int len) {
        int n = UNMAPPED_OBJECT.length;
        for (int i = len - n; i > 0; i--) {
            if (b[i] == '"' && (b[i - 1] == ',' || b[i - 1] == '{') && same(b, i, i + n, UNMAPPED_OBJECT)) {
                return i + n - 1;
            }
        }
        return -1;
    }

    /**
     * The closing brace of the object opening at {@code b[open]}, in one pass with the check that
     * it has no member {@code name} of its own; -1 when it has, or does not close before {@code limit}.
     */
    private static int closeWithout(byte[] b, int open, int limit, byte[] name) {
        int depth = 0;
        for (int i = open; i < limit; i++) {
            byte c = b[i];
            if (c == '"') {
                int e = stringEnd(b, i, limit);
                if (e < 0 || depth == 1 && e + 1 < limit && b[e + 1] == ':' && same(b, i + 1, e, name)) {
                    return -1;
                }
                i = e;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the quote closing the string that opens at {@code b[start]}, or -1. */
    private static int stringEnd(byte[] b, int start, int limit) {
        for (int i = quoteOrBackslash(b, start + 1, limit); i >= 0; i = quoteOrBackslash(b, i + 2, limit)) {
            if (b[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index of the first quote or backslash in {@code b[from, limit)}, or -1. Most of a JSON
     * text's bytes are inside strings: eight at a time (a zero-byte test on the word XORed with
     * each) is what makes the scans cheap next to the rest of a message's work.
     */
    static int quoteOrBackslash(byte[] b, int from, int limit) {
        int i = from;
        for (; i + 8 <= limit; i += 8) {
            long w = (long) LONGS.get(b, i);
            if ((zeroByte(w ^ QUOTES) | zeroByte(w ^ BACKSLASHES)) != 0) {
                break;
            }
        }
        for (; i < limit; i++) {
            if (b[i] == '"' || b[i] == '\\') {
                return i;
            }
        }
        return -1;
    }

    /** Non-zero when a byte of {@code v} is zero. */
    private static long zeroByte(long v) {
        return (v - ONES) & ~v & HIGHS;
    }

    private static boolean same(byte[] b, int from, int to, byte[] want) {
        return to - from == want.length && java.util.Arrays.equals(b, from, to, want, 0, want.length);
    }
}
