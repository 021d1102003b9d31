package dev.twinlane.siem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-level structure of JSON text without tokenizing it: where an object ends, where the next
 * quote or backslash is. Strings are skipped with their escapes, so a
 * brace or name inside a string value is never taken for structure.
 */
final class JsonScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

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
}
