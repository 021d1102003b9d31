package dev.twinlane.detector;

/**
 * Which runs of base64 chars the normaliser replaces by their text: 8 or more chars with their padding, a length
 * (with up to two '=' after it) that is a multiple of 4, decoding to printable text (ASCII or
 * well-formed UTF-8: a payload's look-alikes and zero-width chars survive the encoding); a run
 * shorter than 16 only when its text is ASCII holding a char payloads are made of (a quote, ';',
 * '|', '-', ...), since a short word decodes to printable bytes now and then by chance. Read-only, so a text
 * with long runs that decode to nothing (paths: '/' is a base64 char) is not copied.
 */
final class Base64Runs {
    /** The shortest run read: with its padding 8 chars, 4 to 6 bytes of text such as x'-- or x';--. */
    static final int MIN = 6;
    /** From this length a printable text is taken as it is. */
    static final int LONG = 16;

    private Base64Runs() {
    }

    /** Whether any run of {@code s} decodes, i.e. whether the base64 pass would change it. */
    static boolean anyDecodes(CharSequence s) {
        return anyDecodes(s, 0);
    }

    /** Whether any run of {@code s} from char {@code from} on (no run starts earlier that can decode) decodes. */
    static boolean anyDecodes(CharSequence s, int from) {
        int n = s.length();
        int i = from;
        while (i < n) {
            int j = i;
            int step = i;
            for (char c; j < n && value(c = s.charAt(j)) >= 0; j++) {
                step = c == '/' ? j + 1 : step;
            }
            // most runs cannot decode by their length alone, and are not read again
            boolean candidate = j - i >= LONG || j - i >= MIN && lengthMayDecode(j - step, padding(s, j));
            if (candidate && decodingStart(s, i, j, step) >= 0) {
                return true;
            }
            i = Math.max(j, i + 1);
        }
        return false;
    }

    /**
     * Where the run [i, j) starts to decode: i, or just after one of its '/' (a payload written as a
     * file name under a path is one run with the directories before it); -1 when it does not. A short
     * text is read only as the run's last step, which starts at {@code step}, so a path's every short
     * step is not decoded.
     */
    static int decodingStart(CharSequence s, int i, int j, int step) {
        for (int k = i; j - k >= LONG; k++) {
            if ((k == i || s.charAt(k - 1) == '/') && decodes(s, k, j)) {
                return k;
            }
        }
        return j - step < LONG && decodes(s, step, j) ? step : -1;
    }

    /** Where the last step of the run [i, j) starts: just after its last '/', or i. */
    static int lastStep(CharSequence s, int i, int j) {
        int step = j;
        while (step > i && s.charAt(step - 1) != '/') {
            step--;
        }
        return step;
    }

    /**
     * Whether the run of {@code run} chars ending before byte {@code end} of [.., to) can decode at all:
     * a long run may, a short one when its last step (after its last '/') with the padding after it
     * is 8 or more chars, a multiple of 4. A cheap test before {@link #decodingStart}, which most
     * words of a string fail.
     */
    static boolean mayDecode(byte[] b, int end, int to, int run) {
        if (run < MIN || run >= LONG) {
            return run >= LONG;
        }
        int step = 0;
        while (step < run && b[end - step - 1] != '/') {
            step++;
        }
        return shortMayDecode(b, end, to, step);
    }

    private static boolean shortMayDecode(byte[] b, int end, int to, int step) {
        int pad = 0;
        while (end + pad < to && pad < 2 && b[end + pad] == '=') {
            pad++;
        }
        return lengthMayDecode(step, pad);
    }

    /** A short text of {@code step} chars and {@code pad} '=': 8 or more with its padding, a multiple of 4. */
    static boolean lengthMayDecode(int step, int pad) {
        int padded = step + pad;
        return step >= MIN && padded >= 8 && (padded & 3) == 0;
    }

    /** The end of the run of base64 chars starting at i (i itself when there is none). */
    static int runEnd(CharSequence s, int i) {
        int j = i;
        while (j < s.length() && value(s.charAt(j)) >= 0) {
            j++;
        }
        return j;
    }

    /** The '=' after a run ending at j: 0 to 2. */
    static int padding(CharSequence s, int j) {
        int pad = 0;
        while (j + pad < s.length() && pad < 2 && s.charAt(j + pad) == '=') {
            pad++;
        }
        return pad;
    }

    /** Whether the run [from, to) is replaced by its text. */
    static boolean decodes(CharSequence s, int from, int to) {
        int n = to - from;
        int padded = n + padding(s, to);
        return n >= MIN && padded >= 8 && padded % 4 == 0 && printable(s, from, to) && (n >= LONG || payloadChar(s, from, to));
    }

    /**
     * Whether the decoded text is ASCII once look-alikes and invisible chars are undone (a few other
     * bytes of UTF-8 are as likely chance as text) and holds a char a short payload needs: a quote,
     * a separator, a comment or a path char. The text is well-formed UTF-8 ({@link #printable}).
     */
    private static boolean payloadChar(CharSequence s, int from, int to) {
        boolean found = false;
        int cp = 0;
        int more = 0;
        for (int g = from; g < to; g += 4) {
            int v = group(s, g, to);
            for (int k = 0, n = bytesOf(g, to); k < n; k++) {
                int b = v >> (16 - 8 * k) & 0xff;
                if (more > 0) {
                    cp = cp << 6 | b & 0x3f;
                    if (--more == 0 && !asciiLookAlike(cp)) {
                        return false;
                    }
                } else if (b >= 0x80) {
                    more = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
                    cp = b & (b >= 0xe0 ? 0x0f : 0x1f);
                } else {
                    found |= PAYLOAD_CHARS.indexOf(b) >= 0;
                }
            }
        }
        return found;
    }

    private static boolean asciiLookAlike(int cp) {
        char f = cp <= 0xffff ? Confusables.fold((char) cp) : '\ufffd';
        return f < 0x80 || f == Confusables.DROP;
    }

    private static final String PAYLOAD_CHARS = "'\";|&$`<>(){}\\/#*=%-";

    /** Printable text: ASCII but control chars (a newline and a tab allowed) and well-formed UTF-8 sequences. */
    private static boolean printable(CharSequence s, int from, int to) {
        int more = 0; // continuation bytes the current UTF-8 sequence still needs
        for (int g = from; g < to; g += 4) {
            int v = group(s, g, to);
            for (int k = 0, n = bytesOf(g, to); k < n; k++) {
                int b = v >> (16 - 8 * k) & 0xff;
                if (more > 0) {
                    if ((b & 0xc0) != 0x80) {
                        return false;
                    }
                    more--;
                } else if (b >= 0xc2 && b <= 0xf4) {
                    more = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
                } else if ((b < 0x20 || b > 0x7e) && b != '\n' && b != '\t') {
                    return false;
                }
            }
        }
        return more == 0;
    }

    /** The (up to) four chars at g as 24 bits, missing ones as zero bits. */
    static int group(CharSequence s, int g, int to) {
        int n = Math.min(4, to - g);
        int v = 0;
        for (int k = 0; k < 4; k++) {
            v = v << 6 | (k < n ? value(s.charAt(g + k)) : 0);
        }
        return v;
    }

    /** How many bytes the group at g makes. */
    static int bytesOf(int g, int to) {
        int n = Math.min(4, to - g);
        return n == 4 ? 3 : n == 3 ? 2 : n == 2 ? 1 : 0;
    }

    /** A char's 6 bits, or -1 when it is not a base64 char: a table, since most paths are runs of such chars. */
    static int value(char c) {
        return c < VALUES.length ? VALUES[c] : -1;
    }

    private static final byte[] VALUES = new byte[128];

    static {
        for (char c = 0; c < VALUES.length; c++) {
            VALUES[c] = (byte) (c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
                    : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1);
        }
    }
}
