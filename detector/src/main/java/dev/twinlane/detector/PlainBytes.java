package dev.twinlane.detector;

/**
 * Says from the raw bytes alone whether normalising a string only lowers its case and turns
 * '_' between letters or digits into a blank ({@link #normalAt}): ASCII with no char another
 * pass rewrites (an escape's '%', '\\' or '&', quotes, '$', tabs and CRs, a NUL, two blanks in
 * a row, a '<' glued to a word, an empty comment slash-star-star-slash) and no base64 run that decodes. Most clean strings (paths, plain command lines, unit
 * file lines) are such, and the anchors can then read their bytes without the normaliser's
 * copies. A table lookup per byte.
 */
final class PlainBytes {
    /** What {@link #plainAt} answers for a byte that makes the string not plain. */
    static final int REWRITTEN = -1;
    private static final byte KEPT = 0;
    private static final byte REWRITES = 1;
    /** Upper case, '_', a blank, '<' and '/': kept or not by what is around them. */
    private static final byte DEPENDS = 2;
    private static final byte[] KIND = new byte[256];
    private static final boolean[] BASE64 = new boolean[128];

    static {
        java.util.Arrays.fill(KIND, REWRITES);
        for (int c = 1; c < 128; c++) {
            boolean plain = "%\\&$'\"\r\t\u000b\f".indexOf(c) < 0;
            KIND[c] = !plain ? REWRITES : c >= 'A' && c <= 'Z' || "_ </".indexOf(c) >= 0 ? DEPENDS : KEPT;
            BASE64[c] = Base64Runs.value((char) c) >= 0;
        }
    }

    private final AsciiView view = new AsciiView();

    /** True when the normal form of {@code len} bytes from {@code off} is theirs through {@link #normalAt}. */
    boolean test(byte[] b, int off, int len) {
        int run = 0;
        int longest = 0;
        for (int i = off, end = off + len; i < end; i++) {
            if (plainAt(b, i, off, end) == REWRITTEN || FormBlanks.secondRun(b, i, off)) {
                return false;
            }
            run = base64(b[i]) ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return runsKept(b, off, len, longest);
    }

    /**
     * Byte i's normal char ({@link #normalAt}) while the string [from, to) stays plain up to it, or
     * {@link #REWRITTEN} when this byte is one a pass rewrites (then the string is not plain).
     */
    static int plainAt(byte[] b, int i, int from, int to) {
        int c = b[i] & 0xff;
        int kind = KIND[c];
        if (kind == KEPT) {
            return c;
        }
        if (kind == REWRITES) {
            return REWRITTEN;
        }
        int previous = i > from ? b[i - 1] : 0;
        // a blank after a blank collapses; a '<' glued to a word and an empty comment /**/ read as blanks
        if (c == ' ' && previous == ' ' || c == '<' && i > from && previous != ' '
                || c == '/' && previous == '*' && i - from >= 3 && b[i - 2] == '*' && b[i - 3] == '/') {
            return REWRITTEN;
        }
        return normalAt(b, i, from, to);
    }

    /** Whether byte c (0-255) is its normal char, or that char's upper case, wherever it stands. */
    static boolean keptAsIs(int c) {
        return KIND[c] == KEPT || c >= 'A' && c <= 'Z';
    }

    /** Whether byte c can be part of a base64 run. */
    static boolean base64(byte c) {
        return c >= 0 && BASE64[c];
    }

    /** At the end of a plain string whose longest base64 run is {@code longest}: true unless a run decodes. */
    boolean runsKept(byte[] b, int off, int len, int longest) {
        return longest < Base64Runs.MIN || !Base64Runs.anyDecodes(view.of(b, off, len));
    }

    /** Whether the base64 run [from, to) (relative to {@code off}) of a string decodes, so the string is not plain. */
    boolean runDecodes(byte[] b, int off, int len, int from, int to) {
        int step = to;
        while (step > from && b[off + step - 1] != '/') {
            step--; // the run's last step, read from the bytes rather than through the view
        }
        return Base64Runs.decodingStart(view.of(b, off, len), from, to, step) >= 0;
    }

    /**
     * The normalised char at i of a plain string [from, to), as the normaliser's fold makes it:
     * lower case, and '_' between letters or digits a blank (file names spell blanks so).
     */
    static int normalAt(byte[] b, int i, int from, int to) {
        int c = b[i];
        if (c >= 'A' && c <= 'Z') {
            return c + ('a' - 'A');
        }
        return c == '_' && i > from && i + 1 < to && alnum(b[i - 1]) && alnum(b[i + 1]) ? ' ' : c;
    }

    private static boolean alnum(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
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
