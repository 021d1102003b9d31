package dev.twinlane.detector;

/**
 * Says from the raw bytes alone whether normalising a string would give it back unchanged:
 * ASCII with no char any pass rewrites (an escape's '%', '\\' or '&', upper case, quotes, '$',
 * '_', tabs and CRs, a NUL, two blanks in a row) and no base64 run that decodes. Most clean
 * strings (paths, plain command lines) are such, and the anchors can then run on their bytes
 * without the normaliser's copy. A table lookup per byte.
 */
final class PlainBytes {
    private static final boolean[] PLAIN = new boolean[256];
    private static final boolean[] BASE64 = new boolean[128];

    static {
        for (int c = 1; c < 128; c++) {
            PLAIN[c] = !(c >= 'A' && c <= 'Z') && "%\\&$'\"_\r\t\u000b\f".indexOf(c) < 0;
            BASE64[c] = Base64Runs.value((char) c) >= 0;
        }
    }

    private final AsciiView view = new AsciiView();

    /** True when {@code len} bytes from {@code off} are their own normal form. */
    boolean test(byte[] b, int off, int len) {
        int run = 0;
        int longest = 0;
        int previous = 0;
        for (int i = off, end = off + len; i < end; i++) {
            int c = b[i] & 0xff;
            if (!PLAIN[c] || c == ' ' && previous == ' ') {
                return false;
            }
            run = BASE64[c] ? run + 1 : 0;
            longest = Math.max(longest, run);
            previous = c;
        }
        return longest < Base64Runs.MIN || !Base64Runs.anyDecodes(view.of(b, off, len));
    }

    /** ASCII bytes read as chars, reused, so the base64 test needs no copy. */
    private static final class AsciiView implements CharSequence {
        private byte[] bytes;
        private int off;
        private int len;

        AsciiView of(byte[] b, int from, int length) {
            bytes = b;
            off = from;
            len = length;
            return this;
        }

        @Override
        public int length() {
            return len;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[off + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().substring(from, to);
        }

        @Override
        public String toString() {
            return new String(bytes, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
