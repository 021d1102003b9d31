package dev.twinlane.siem;

/**
 * Byte-level structure of JSON text without tokenizing it: where an object ends, and where a
 * verification member can go in an OCSF event. Strings are skipped with their escapes, so a
 * brace or name inside a string value is never taken for structure.
 */
final class JsonScan {
    private static final byte[] UNMAPPED = {'u', 'n', 'm', 'a', 'p', 'p', 'e', 'd'};
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
     * In an object {@code b[0, len)}: the index of the closing brace of its last member when that
     * is {@code "unmapped"}, an object without a {@code "verification"} member, named once; else -1.
     */
    static int verificationAt(byte[] b, int len) {
        int depth = 0;
        int unmappedNames = 0;
        boolean lastIsUnmapped = false;
        boolean inUnmapped = false;
        int close = -1;
        for (int i = 0; i < len; i++) {
            byte c = b[i];
            if (c == '"') {
                int e = stringEnd(b, i, len);
                if (e < 0) {
                    return -1;
                }
                boolean name = e + 1 < len && b[e + 1] == ':';
                if (name && depth == 1) {
                    lastIsUnmapped = same(b, i + 1, e, UNMAPPED);
                    unmappedNames += lastIsUnmapped ? 1 : 0;
                    close = -1;
                } else if (name && depth == 2 && inUnmapped && same(b, i + 1, e, VERIFICATION)) {
                    return -1;
                }
                i = e;
            } else if (c == '{' || c == '[') {
                depth++;
                inUnmapped = depth == 2 && c == '{' && lastIsUnmapped;
            } else if (c == '}' || c == ']') {
                if (depth == 2 && inUnmapped) {
                    close = i;
                    inUnmapped = false;
                }
                depth--;
            }
        }
        return unmappedNames == 1 && lastIsUnmapped ? close : -1;
    }

    /** The index of the quote closing the string that opens at {@code b[start]}, or -1. */
    private static int stringEnd(byte[] b, int start, int limit) {
        for (int i = start + 1; i < limit; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(byte[] b, int from, int to, byte[] want) {
        return java.util.Arrays.equals(b, from, to, want, 0, want.length);
    }
}
