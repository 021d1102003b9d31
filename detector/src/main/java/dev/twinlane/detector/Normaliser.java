package dev.twinlane.detector;

/**
 * Undoes the encodings and tricks that hide a payload from a plain match, into reused buffers:
 * UTF-8, then escapes (URL %xx and %uXXXX, \xNN, \NNN, backslash-uXXXX, HTML &#..;, twice for double
 * encoding; escaped bytes are read as UTF-8, overlong forms included), then base64 runs that
 * decode to printable text, then shell quoting tricks, confusable characters and case.
 * Every output char keeps the raw byte range it came from, so a match maps back to its span.
 * Thread-confined; allocates only to grow its buffers for a longer input than before.
 */
final class Normaliser {
    private static final int ESCAPE_ROUNDS = 3;
    private static final int BASE64_ROUNDS = 3;
    private static final int QUOTE_MAX = 64;

    private Text out = new Text(512);
    private Text spare = new Text(512);
    private final int[] pending = new int[8];
    private final int[] pendingStart = new int[8];
    private final int[] pendingEnd = new int[8];

    /** The raw bytes being normalised: a '+' is a blank or not by the word it stands in ({@link FormBlanks}). */
    private byte[] raw;
    private int rawOff;
    private int rawLen;

    /** Normalises {@code len} raw bytes from {@code off}; raw offsets in the result count from {@code off}. */
    Text normalise(byte[] buf, int off, int len) {
        raw = buf;
        rawOff = off;
        rawLen = len;
        utf8(buf, off, len, out);
        if (sawAnsiC) {
            ansiC(swap(), out);
        }
        boolean escapes = sawEscape && unescapeRounds();
        // what an escape decodes to may need folding too (%53ELECT is SELECT)
        boolean decoded = sawEscape && unescaped > 0;
        // encoded more times than the rounds undo (%252525...): the rounds after the fold go on
        boolean deeper = unescaped == ESCAPE_ROUNDS;
        boolean base64 = decoded ? hasBase64Run(out) : sawBase64Run;
        // a long run that decodes to nothing (a path) is left as it is, without a copy
        // encoded twice or thrice (b64=, data:...;base64, inside the text): each round reads the last one's text
        // the first layer is read from the first run the raw text's pass found that may decode, unless escapes moved it
        int from = decoded ? 0 : base64From;
        for (int layer = 0; layer < BASE64_ROUNDS && base64 && Base64Runs.anyDecodes(out, layer == 0 ? from : 0); layer++) {
            decoded = true;
            base64(swap(), out);
            // the encoded text is read as the raw text was: UTF-8 with look-alikes undone (in flush), then escapes
            escapes = mayHaveEscapes(out) && unescapeRounds();
            base64 = hasBase64Run(out);
        }
        if (escapes || decoded || sawFoldable) {
            fold(swap(), out);
            if (escapes && (dropped || deeper)) {
                // layers come in any order: escapes the shell pass revealed (\\""0""4""7 is \\047) are decoded, and folded again
                unescapeRounds();
                if (unescaped > 0) {
                    fold(swap(), out);
                }
            }
        }
        return out;
    }

    /** How many rounds of the last {@link #unescapeRounds} changed the text. */
    private int unescaped;

    /** Up to {@link #ESCAPE_ROUNDS} rounds of escape decoding; whether escape chars are left. */
    private boolean unescapeRounds() {
        unescaped = 0;
        for (int round = 0; round < ESCAPE_ROUNDS; round++) {
            if (!unescape(swap(), out)) {
                swapBack();
                return true;
            }
            unescaped++;
            if (!mayHaveEscapes(out)) {
                return false;
            }
        }
        return true;
    }

    /**
     * ANSI-C quotes ($'...') lose their delimiters before escapes are decoded: a quote escaped inside
     * ($'x\x27--') is the payload's own, and once decoded could not be told from the closing one.
     */
    private static void ansiC(Text in, Text t) {
        int i = 0;
        while (i < in.length) {
            int close = in.chars[i] == '$' && i + 1 < in.length && in.chars[i + 1] == '\'' ? ansiClose(in, i + 2) : -1;
            if (close < 0) {
                t.add(in.chars[i], in.start[i], in.end[i]);
                i++;
                continue;
            }
            for (int k = i + 2; k < close; k++) {
                char own = in.chars[k] == '\\' ? ansiCEscape(in.chars[k + 1]) : 0;
                if (own != 0) {
                    t.add(own, in.start[k], in.end[k + 1]);
                    k++;
                } else {
                    t.add(in.chars[k], in.start[k], in.end[k]);
                }
            }
            i = close + 1;
        }
    }

    /**
     * What an ANSI-C quote's own escapes stand for (a newline, a tab, a quote), or 0: decoded here,
     * where they cannot be read as letters of a backslash run ($'\\n'\\r\\m); the byte escapes
     * (\\xNN, \\NNN) are left to the escape rounds.
     */
    private static char ansiCEscape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\n';
            case '\'', '"' -> c;
            default -> 0;
        };
    }

    /** The quote closing an ANSI-C quote whose text starts at from (one no backslash escapes), or -1. */
    private static int ansiClose(Text in, int from) {
        for (int k = from; k < in.length && k < from + QUOTE_MAX * 4; k++) {
            if (in.chars[k] == '\\') {
                k++;
            } else if (in.chars[k] == '\'') {
                return k;
            }
        }
        return -1;
    }

    /**
     * The normal form of a plain string ({@link PlainBytes}): its bytes through {@link PlainBytes#normalAt},
     * one per char, which is what {@link #normalise} makes of it, in one pass.
     */
    Text plain(byte[] b, int off, int len) {
        Text t = out;
        t.clear(len);
        char[] chars = t.chars;
        int[] start = t.start;
        int[] end = t.end;
        for (int i = 0; i < len; i++) {
            chars[i] = (char) PlainBytes.normalAt(b, off + i, off, off + len);
            start[i] = i;
            end[i] = i + 1;
        }
        t.length = len;
        return t;
    }

    /** Makes the current output the next pass's input; returns the (cleared) buffer to write. */
    private Text swap() {
        Text in = out;
        out = spare;
        spare = in;
        out.clear(in.length);
        return in;
    }

    private void swapBack() {
        Text t = out;
        out = spare;
        spare = t;
    }

    // ---- UTF-8 ----

    /** Set by {@link #utf8}: whether a later pass has anything to do, so clean text skips it. */
    private boolean sawEscape;
    private boolean sawBase64Run;
    /** Where the first run that may decode starts, when {@link #sawBase64Run}. */
    private int base64From;
    /** Upper case, a blank run, a tab, a quote, '$', '\\', '_', '<', '*' or non-ASCII: the fold pass has work. */
    private boolean sawFoldable;
    /** A '$' just before a quote: an ANSI-C quote ({@link #ansiC}). */
    private boolean sawAnsiC;

    private void utf8(byte[] b, int off, int len, Text t) {
        t.clear(len);
        char[] chars = t.chars;
        int[] start = t.start;
        int[] end = t.end;
        int n = 0;
        boolean escape = false;
        boolean foldable = false;
        boolean ansiC = false;
        int run = 0;
        boolean base64 = false;
        int from = -1;
        int i = 0;
        while (i < len) {
            int c = b[off + i] & 0xff;
            if (c < 0x80) {
                // the common case, written through locals: a field store per char costs more than the rest
                chars[n] = c == 0 ? ' ' : (char) c;
                start[n] = i;
                end[n] = i + 1;
                n++;
                escape |= c == '%' || c == '\\' || c == '&';
                ansiC |= c == '\'' && n > 1 && chars[n - 2] == '$';
                // a NUL reads as a blank, so it counts in a run of blanks too
                foldable |= FOLDABLE[c] || (c == ' ' || c == 0) && i > 0 && (b[off + i - 1] == ' ' || b[off + i - 1] == 0);
                if (BASE64[c]) {
                    run++;
                } else if (run > 0) {
                    from = !base64 && Base64Runs.mayDecode(b, off + i, off + len, run) ? n - 1 - run : from;
                    base64 = from >= 0;
                    run = 0;
                }
                i++;
                continue;
            }
            int at = i;
            int k = 1;
            int lead = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            int cp = lead == 4 ? c & 0x07 : lead == 3 ? c & 0x0f : c & 0x1f;
            while (k < lead && i + k < len && (b[off + i + k] & 0xc0) == 0x80) {
                cp = cp << 6 | (b[off + i + k] & 0x3f);
                k++;
            }
            // A broken sequence stays visible as one replacement char per byte consumed.
            char shaped = Confusables.shape(lead == 1 || k < lead ? '\ufffd' : cp > 0xffff ? Confusables.astral(cp) : (char) cp);
            i += k;
            foldable = true;
            if (shaped != Confusables.DROP) {
                chars[n] = shaped;
                start[n] = at;
                end[n] = i;
                n++;
                escape |= shaped == '%' || shaped == '\\' || shaped == '&';
                if (Base64Runs.value(shaped) >= 0) {
                    run = Base64Runs.LONG; // a look-alike's bytes are not the run's chars: read the text as for a long run
                } else if (run > 0) {
                    from = !base64 && Base64Runs.mayDecode(b, at, off + len, run) ? n - 1 - run : from;
                    base64 = from >= 0;
                    run = 0;
                }
            }
        }
        t.length = n;
        sawEscape = escape;
        from = !base64 && Base64Runs.mayDecode(b, off + len, off + len, run) ? n - run : from;
        sawBase64Run = from >= 0;
        base64From = from;
        sawFoldable = foldable;
        sawAnsiC = ansiC;
    }

    private static final boolean[] FOLDABLE = new boolean[128];
    private static final boolean[] BASE64 = new boolean[128];

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            FOLDABLE[c] = true;
        }
        for (char c : "$'\"\\_\r\t\u000b\f<*+".toCharArray()) { // '<' and '*': a glued redirection, /**/; '+' a form blank
            FOLDABLE[c] = true;
        }
        for (char c = 0; c < 128; c++) {
            BASE64[c] = Base64Runs.value(c) >= 0;
        }
    }

    // ---- escapes ----

    private static boolean mayHaveEscapes(Text t) {
        for (int i = 0; i < t.length; i++) {
            char c = t.chars[i];
            if (c == '%' || c == '\\' || c == '&') {
                return true;
            }
        }
        return false;
    }

    /** One round of escape decoding; false when nothing changed. */
    private boolean unescape(Text src, Text t) {
        if (!anyEscape(src)) {
            return false; // a shell line's "&&" or "2>&1": no copy when no escape decodes
        }
        boolean changed = false;
        int pend = 0;
        int i = 0;
        while (i < src.length) {
            int consumed = escapedByte(src, i);
            if (consumed > 0) {
                if (pend == pending.length) {
                    pend = flushWhole(t, pend);
                }
                pending[pend] = decodedValue;
                pendingStart[pend] = src.start[i];
                pendingEnd[pend] = src.end[i + consumed - 1];
                pend++;
                i += consumed;
                changed = true;
                continue;
            }
            pend = flush(t, pend);
            consumed = escapedChar(src, i);
            if (consumed > 0) {
                t.add((char) decodedValue, src.start[i], src.end[i + consumed - 1]);
                i += consumed;
                changed = true;
                continue;
            }
            t.add(src.chars[i], src.start[i], src.end[i]);
            i++;
        }
        flush(t, pend);
        return changed;
    }

    private int decodedValue;

    /** Whether {@link #unescape} would decode something: some '%', '\\' or '&' starts an escape. */
    private boolean anyEscape(Text s) {
        char[] chars = s.chars;
        for (int i = 0, n = s.length; i < n; i++) {
            char c = chars[i];
            if ((c == '%' || c == '\\' || c == '&') && (escapedByte(s, i) > 0 || escapedChar(s, i) > 0)) {
                return true;
            }
        }
        return false;
    }

    /** %XX, \xNN or \NNN (three octal digits) at i: chars consumed, the byte in decodedValue; else 0. */
    private int escapedByte(Text s, int i) {
        char c = s.chars[i];
        if (c == '%' && i + 2 < s.length && hex(s.chars[i + 1]) >= 0 && hex(s.chars[i + 2]) >= 0) {
            decodedValue = hex(s.chars[i + 1]) << 4 | hex(s.chars[i + 2]);
            return 3;
        }
        if (c != '\\' || i + 1 >= s.length) {
            return 0;
        }
        char d = s.chars[i + 1];
        if ((d == 'x' || d == 'X') && i + 3 < s.length && hex(s.chars[i + 2]) >= 0 && hex(s.chars[i + 3]) >= 0) {
            decodedValue = hex(s.chars[i + 2]) << 4 | hex(s.chars[i + 3]);
            return 4;
        }
        if (i + 3 < s.length && octal(d) >= 0 && octal(s.chars[i + 2]) >= 0 && octal(s.chars[i + 3]) >= 0
                && octal(d) <= 3) {
            decodedValue = octal(d) << 6 | octal(s.chars[i + 2]) << 3 | octal(s.chars[i + 3]);
            return 4;
        }
        return 0;
    }

    /** %uXXXX, backslash-uXXXX, &#NN;, &#xNN;, \\n or \\r at i: chars consumed, the char in decodedValue; else 0. */
    private int escapedChar(Text s, int i) {
        char c = s.chars[i];
        if (c != '\\' && c != '%' && c != '&') {
            return 0; // most chars: no escape starts here
        }
        boolean u = (c == '%' || c == '\\') && i + 5 < s.length && (s.chars[i + 1] == 'u' || s.chars[i + 1] == 'U');
        if (u) {
            int v = 0;
            for (int k = 2; k < 6; k++) {
                int h = hex(s.chars[i + k]);
                if (h < 0) {
                    return 0;
                }
                v = v << 4 | h;
            }
            decodedValue = v;
            return 6;
        }
        if (c == '&' && i + 3 < s.length && s.chars[i + 1] == '#') {
            return htmlEntity(s, i);
        }
        if (crlf(s, i)) {
            decodedValue = '\n'; // \r\n in any case: a line break injected into a log line, upper-cased or not
            return 4;
        }
        if (c == '\\' && i + 1 < s.length && (s.chars[i + 1] == 'n' || s.chars[i + 1] == 'r') && !backslashedLetters(s, i)
                && !pathStep(s, i)) {
            decodedValue = '\n'; // an injected "\nid" is a new command line to whoever unescapes it
            return 2;
        }
        return 0;
    }

    /**
     * Whether the backslash-letter at i is one of a run of them that quotes plain letters
     * (\\u\\s\\e\\r\\n\\a\\m\\e, \\A\\L\\T\\E\\R): a neighbouring backslash-letter pair that is no
     * escape of its own (not n, r or t). Then \\n is the letter n, not a newline.
     */
    private static boolean backslashedLetters(Text s, int i) {
        return i + 3 < s.length && s.chars[i + 2] == '\\' && plainLetter(s.chars[i + 3])
                || i >= 2 && s.chars[i - 2] == '\\' && plainLetter(s.chars[i - 1]);
    }

    private static boolean crlf(Text s, int i) {
        return i + 3 < s.length && s.chars[i] == '\\' && (s.chars[i + 1] | 0x20) == 'r' && s.chars[i + 2] == '\\'
                && (s.chars[i + 3] | 0x20) == 'n';
    }

    /**
     * A backslash that separates path steps rather than escaping (..\\root, ..\\\\root, c:\\new): after
     * "..", a drive's ':' or another backslash, \\r and \\n are the letters of a directory's name.
     */
    private static boolean pathStep(Text s, int i) {
        char p = i > 0 ? s.chars[i - 1] : 0;
        // exactly two dots: "....\\n" ends a line of dots, it steps nowhere
        return p == ':' || p == '\\' || p == '.' && i > 1 && s.chars[i - 2] == '.' && (i == 2 || s.chars[i - 3] != '.');
    }

    private static boolean plainLetter(char c) {
        return Character.isLetter(c) && c != 'n' && c != 'r' && c != 't';
    }

    private int htmlEntity(Text s, int i) {
        boolean hexForm = s.chars[i + 2] == 'x' || s.chars[i + 2] == 'X';
        int k = hexForm ? i + 3 : i + 2;
        int v = 0;
        int digits = 0;
        while (k < s.length && digits < 6) {
            int d = hexForm ? hex(s.chars[k]) : s.chars[k] >= '0' && s.chars[k] <= '9' ? s.chars[k] - '0' : -1;
            if (d < 0) {
                break;
            }
            v = v * (hexForm ? 16 : 10) + d;
            digits++;
            k++;
        }
        if (digits == 0 || v > 0xffff) {
            return 0;
        }
        decodedValue = v;
        // the ';' is optional in HTML, and attackers leave it out
        return (k < s.length && s.chars[k] == ';' ? k + 1 : k) - i;
    }

    /** Emits the pending bytes but an unfinished UTF-8 sequence at their end; returns how many are kept. */
    private int flushWhole(Text t, int pend) {
        int lead = pend - 1;
        while (lead > 0 && pend - lead < 4 && (pending[lead] & 0xc0) == 0x80) {
            lead--;
        }
        int c = pending[lead];
        int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        int keep = lead > 0 && pend - lead < n ? pend - lead : 0;
        flush(t, pend - keep);
        System.arraycopy(pending, pend - keep, pending, 0, keep);
        System.arraycopy(pendingStart, pend - keep, pendingStart, 0, keep);
        System.arraycopy(pendingEnd, pend - keep, pendingEnd, 0, keep);
        return keep;
    }

    /** Emits the pending escaped bytes as UTF-8 (overlong forms accepted: %c0%af is '/'); returns 0. */
    private int flush(Text t, int pend) {
        int i = 0;
        while (i < pend) {
            int c = pending[i];
            int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            int cp = n == 4 ? c & 0x07 : n == 3 ? c & 0x0f : c & 0x1f;
            int k = 1;
            while (k < n && i + k < pend && (pending[i + k] & 0xc0) == 0x80) {
                cp = cp << 6 | (pending[i + k] & 0x3f);
                k++;
            }
            if (n == 1 || k < n) {
                t.add((char) c, pendingStart[i], pendingEnd[i]);
                i++;
            } else {
                char shaped = Confusables.shape(cp > 0xffff ? Confusables.astral(cp) : (char) cp); // a look-alike or zero-width char escaped or encoded
                if (shaped != Confusables.DROP) {
                    t.add(shaped, pendingStart[i], pendingEnd[i + k - 1]);
                }
                i += k;
            }
        }
        return 0;
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static int octal(char c) {
        return c >= '0' && c <= '7' ? c - '0' : -1;
    }

    // ---- base64 ----

    /**
     * Whether some run of base64 chars can decode, by its length alone ({@link Base64Runs#lengthMayDecode}):
     * most words of a shell line cannot, and are not read again.
     */
    private static boolean hasBase64Run(Text t) {
        char[] c = t.chars;
        int run = 0;
        int step = 0;
        for (int i = 0, n = t.length; i <= n; i++) {
            if (i < n && Base64Runs.value(c[i]) >= 0) {
                run++;
                step = c[i] == '/' ? 0 : step + 1;
                continue;
            }
            int pad = i < n && c[i] == '=' ? i + 1 < n && c[i + 1] == '=' ? 2 : 1 : 0;
            if (run >= Base64Runs.LONG || run >= Base64Runs.MIN && Base64Runs.lengthMayDecode(step, pad)) {
                return true;
            }
            run = 0;
            step = 0;
        }
        return false;
    }

    /** Replaces each base64 run that decodes to printable text (from its start or after one of its slashes) by its text. */
    private void base64(Text in, Text t) {
        int i = 0;
        while (i < in.length) {
            int j = Base64Runs.runEnd(in, i);
            int from = j > i ? Base64Runs.decodingStart(in, i, j, Base64Runs.lastStep(in, i, j)) : -1;
            if (from >= 0) {
                for (int k = i; k < from; k++) {
                    t.add(in.chars[k], in.start[k], in.end[k]);
                }
                decodeRun(in, from, j, t);
                i = j + Base64Runs.padding(in, j);
            } else if (j > i) {
                for (int k = i; k < j; k++) {
                    t.add(in.chars[k], in.start[k], in.end[k]);
                }
                i = j;
            } else {
                t.add(in.chars[i], in.start[i], in.end[i]);
                i++;
            }
        }
    }

    /** Decodes the run as UTF-8 (through the pending bytes, as escapes are), each char spanning its groups. */
    private void decodeRun(Text in, int from, int to, Text t) {
        int pend = 0;
        for (int g = from; g < to; g += 4) {
            int v = Base64Runs.group(in, g, to);
            int groupEnd = Math.min(g + 4, to) - 1;
            for (int k = 0, n = Base64Runs.bytesOf(g, to); k < n; k++) {
                if (pend == pending.length) {
                    pend = flushWhole(t, pend);
                }
                pending[pend] = v >> (16 - 8 * k) & 0xff;
                pendingStart[pend] = in.start[g];
                pendingEnd[pend] = in.end[groupEnd];
                pend++;
            }
        }
        flush(t, pend);
    }

    // ---- shell tricks, confusables, case, blanks ----

    /** A '+' of the raw text (not one decoded from %2B) that a form wrote for a blank. */
    private boolean formBlank(Text in, int i) {
        return in.chars[i] == '+' && in.end[i] - in.start[i] == 1 && FormBlanks.at(raw, rawOff + in.start[i], rawOff, rawOff + rawLen);
    }

    /** Whether the text being folded holds a Windows path (..\\ or c:\\): 1, 0, or -1 not read yet. */
    private int windows;

    /** In a Windows path a backslash between letters separates steps (..\\windows\\win.ini) rather than quoting. */
    private boolean windowsPath(Text in) {
        if (windows < 0) {
            windows = 0;
            for (int k = 2; k < in.length && windows == 0; k++) {
                boolean step = in.chars[k] == '\\' && (in.chars[k - 1] == ':' || in.chars[k - 1] == '.' && in.chars[k - 2] == '.');
                windows = step ? 1 : 0;
            }
        }
        return windows == 1;
    }

    /** Whether the last fold dropped a quote, a backslash or an empty parameter: only then can it reveal an escape. */
    private boolean dropped;

    private void fold(Text in, Text t) {
        windows = -1;
        dropped = false;
        char[] ic = in.chars;
        int[] is = in.start;
        int[] ie = in.end;
        int n = in.length;
        // the output never outgrows the input (clear(in.length) made it as large), so its arrays stay
        char[] oc = t.chars;
        int[] os = t.start;
        int[] oe = t.end;
        int o = t.length;
        int i = 0;
        while (i < n) {
            char c = ic[i];
            // the common char, which foldAt would only fold: written through locals
            if (c < PLAIN_FOLD.length && PLAIN_FOLD[c] != 0
                    && (c != '/' || i + 1 == n || ic[i + 1] != '*' && ic[i + 1] < PLAIN_FOLD.length)) {
                oc[o] = PLAIN_FOLD[c];
                os[o] = is[i];
                oe[o] = ie[i];
                o++;
                i++;
                continue;
            }
            t.length = o;
            i = foldAt(in, i, t);
            o = t.length;
        }
        t.length = o;
    }

    /**
     * An ASCII char's fold when {@link #foldAt} does nothing else with it (no '$', quote, '<', '\', CR,
     * '_', '+' or blank; a '/' unless a '*' may follow), else 0.
     */
    private static final char[] PLAIN_FOLD = new char[128];

    static {
        for (char c = 1; c < PLAIN_FOLD.length; c++) {
            char f = Confusables.fold(c);
            if ("$'\"<\\\r_+".indexOf(c) < 0 && f != ' ' && f != Confusables.DROP) {
                PLAIN_FOLD[c] = f;
            }
        }
    }

    /** Handles the char at i (and what belongs to it); returns the next index. */
    private int foldAt(Text in, int i, Text t) {
        char c = in.chars[i];
        if (c == ' ') {
            blank(t, in.start[i], in.end[i]); // the most common char here, with nothing else to undo
            return i + 1;
        }
        if (c == '$') {
            int ifs = ifs(in, i);
            if (ifs > 0) {
                blank(t, in.start[i], in.end[i + ifs - 1]);
                return i + ifs;
            }
            if (i + 1 < in.length && (in.chars[i + 1] == '@' || in.chars[i + 1] == '*'
                    || in.chars[i + 1] >= '0' && in.chars[i + 1] <= '9')) {
                dropped = true;
                return i + 2; // an empty positional parameter splits a word without changing it
            }
            if (i + 1 < in.length && in.chars[i + 1] == '\'') {
                int close = closingQuote(in, i + 1, true);
                if (close > 0) {
                    dropped = true;
                    copyFolded(in, i + 2, close, t);
                    return close + 1;
                }
            }
        }
        if ((c == '\'' || c == '"') && emptyPairInWord(in, i)) {
            dropped = true;
            return i + 2; // pa""ss''wd is passwd in the shell whatever quote it stands in
        }
        if (c == '\'' || c == '"') {
            return quote(in, i, t);
        }
        if (c == '/' && emptyComment(in, i)) {
            blank(t, in.start[i], in.end[i + 3]); // an empty comment splits words in SQL: union/**/select
            return i + 4;
        }
        if (c == '<' && redirectBlank(in, i)) {
            blank(t, in.start[i], in.end[i]);
            return i + 1;
        }
        if (c == '\\' && i + 1 < in.length && Character.isLetter(in.chars[i + 1])
                && (i > 0 && Character.isLetter(in.chars[i - 1]) && !windowsPath(in)
                        || i + 3 < in.length && in.chars[i + 2] == '\\' && Character.isLetter(in.chars[i + 3]))) {
            dropped = true;
            return i + 1; // c\\url, \\c\\u\\r\\l, \\A\\L\\T\\E\\R: the backslash quotes a plain letter
        }
        if (c == '\\' && i + 1 < in.length && (i == 0 || in.chars[i - 1] != '\\') && (in.chars[i + 1] == ' '
                || i >= 2 && in.chars[i - 2] == '\\' && Character.isLetter(in.chars[i - 1]) && !alnum(in.chars[i + 1]))) {
            dropped = true;
            return i + 1; // a backslash-escaped blank is a blank; in a backslash-letter run (\\b\\o\\t\\:) so is one before punctuation
        }
        if (c == '\\' && (quotedChar(in, i - 2) || quotedChar(in, i + 2)) && quotedChar(in, i)) {
            // a backslash before every char (\\9\\9\\'\\-\\-): the shell's quoting of each, and what it quotes is itself
            char f = Confusables.fold(in.chars[i + 1]);
            if (f != Confusables.DROP) {
                t.add(f, in.start[i + 1], in.end[i + 1]);
            }
            dropped = true;
            return i + 2;
        }
        if (formBlank(in, i)) {
            blank(t, in.start[i], in.end[i]);
            return i + 1;
        }
        if (c == '\r') {
            c = '\n';
        }
        if (c == '_' && i > 0 && i + 1 < in.length && alnum(in.chars[i - 1]) && alnum(in.chars[i + 1])) {
            c = ' '; // file names spell blanks so: ignore_all_previous_instructions
        }
        char f = Confusables.fold(c);
        if (f == Confusables.DROP) {
            return i + 1;
        }
        if (f == ' ') {
            blank(t, in.start[i], in.end[i]);
        } else {
            t.add(f, in.start[i], in.end[i]);
        }
        return i + 1;
    }

    /** A quoted word piece attached to a word (c"u"rl, c''url) loses its quotes; others stay whole. */
    private int quote(Text in, int i, Text t) {
        int close = closingQuote(in, i, false);
        if (close < 0) {
            t.add(in.chars[i], in.start[i], in.end[i]);
            return i + 1;
        }
        // "w""h""o": pieces glued to each other are one word too
        // a '/' before it starts a path step ('=' 'or' as a file name), it does not glue a piece to a word
        boolean attached = i > 0 && (wordChar(in.chars[i - 1]) && in.chars[i - 1] != '/' || isQuote(in.chars[i - 1]))
                || close + 1 < in.length && (wordChar(in.chars[close + 1]) || isQuote(in.chars[close + 1]));
        if (attached) {
            dropped = true;
            copyFolded(in, i + 1, close, t);
        } else {
            t.add(in.chars[i], in.start[i], in.end[i]);
            copyFolded(in, i + 1, close, t);
            t.add(in.chars[close], in.start[close], in.end[close]);
        }
        return close + 1;
    }

    /**
     * The same quote closing the one at i within {@link #QUOTE_MAX} chars and no blank; else -1. An
     * empty pair inside a word ({@code "1`pa""ss""wd"}) closes nothing: it reopens at once. In an
     * ANSI-C quote ({@code $'\n'rm}) a newline or tab is its decoded content, not a blank ending it.
     */
    private static int closingQuote(Text in, int i, boolean ansiC) {
        char q = in.chars[i];
        for (int k = i + 1; k < in.length && k <= i + QUOTE_MAX; k++) {
            char c = in.chars[k];
            if (c == q && emptyPairInWord(in, k)) {
                k++;
                continue;
            }
            if (c == q) {
                return k;
            }
            if (c == ' ' || !ansiC && (c == '\t' || c == '\n') || readAsBlank(in, k)) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * What the fold turns into a blank (an IFS expansion, an empty comment, a glued '<') ends a quoted
     * word as a blank does: "$IFS$9&&$IFS$9id" or a quoted command with empty comments between its words is no single word.
     */
    private static boolean readAsBlank(Text in, int k) {
        char c = in.chars[k];
        return c == '$' && ifs(in, k) > 0 || c == '/' && emptyComment(in, k) || c == '<' && redirectBlank(in, k);
    }

    /** An empty comment at i (look-alikes of its chars were made ASCII when the text was read). */
    private static boolean emptyComment(Text in, int i) {
        return i + 3 < in.length && in.chars[i + 1] == '*' && in.chars[i + 2] == '*' && in.chars[i + 3] == '/';
    }

    /**
     * An empty quote pair at i with word chars on both sides (a""b, a''b); a "" pair between any two
     * chars of a word too (-""1""', ;""-""-): SQL writes an escaped quote as '', not "".
     */
    private static boolean emptyPairInWord(Text in, int i) {
        if (i == 0 || i + 2 >= in.length || in.chars[i + 1] != in.chars[i]) {
            return false;
        }
        char before = in.chars[i - 1];
        char after = in.chars[i + 2];
        return glued(before) && glued(after) || in.chars[i] == '"' && solid(before) && solid(after);
    }

    private static boolean solid(char c) {
        return c > ' ' && !isQuote(c);
    }

    /** A backslash at i quoting one char that is neither a blank nor a backslash, not itself quoted. */
    private static boolean quotedChar(Text in, int i) {
        return i >= 0 && i + 1 < in.length && in.chars[i] == '\\' && in.chars[i + 1] > ' ' && in.chars[i + 1] != '\\'
                && (i == 0 || in.chars[i - 1] != '\\');
    }

    /** Letters, digits and '_': beside punctuation ('--, ''/*) a quote is more likely an SQL payload's own. */
    private static boolean glued(char c) {
        return alnum(c) || c == '_' || c > 0x7f && Character.isLetter(c);
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"';
    }

    /** A quoted piece's chars, folded; its form blanks and '_' between letters read as blanks, as outside quotes. */
    private void copyFolded(Text in, int from, int to, Text t) {
        for (int k = from; k < to; k++) {
            if (isQuote(in.chars[k]) && emptyPairInWord(in, k)) {
                dropped = true;
                k++;
                continue;
            }
            if (formBlank(in, k) || in.chars[k] == '_' && k > 0 && k + 1 < in.length && alnum(in.chars[k - 1]) && alnum(in.chars[k + 1])) {
                blank(t, in.start[k], in.end[k]);
                continue;
            }
            char f = Confusables.fold(in.chars[k]);
            if (f != Confusables.DROP) {
                t.add(f, in.start[k], in.end[k]);
            }
        }
    }

    /**
     * ${IFS}, $IFS$9 or $IFS at i, or IFS under a parameter expansion (${IFS%??}, ${IFS:0:1},
     * ${$'IFS'%?}: what it yields is a blank or nothing, either splits words): the chars it takes, else 0.
     */
    private static int ifs(Text in, int i) {
        char next = i + 1 < in.length ? in.chars[i + 1] : 0;
        if (next != '{' && next != 'I' && next != 'i') {
            return 0; // "$1", "$dpkg_root": no IFS, without folding chars to compare
        }
        if (matches(in, i, "${IFS}")) {
            return 6;
        }
        if (matches(in, i, "${")) {
            int k = i + 2;
            boolean quoted = matches(in, k, "$'");
            k += quoted ? 2 : 0;
            if (matches(in, k, "IFS") && (!quoted || matches(in, k + 3, "'"))) {
                k += quoted ? 4 : 3;
                if (k < in.length && in.chars[k] == '}') {
                    return k + 1 - i;
                }
                if (k < in.length && "%#:/^,-+=?@".indexOf(in.chars[k]) >= 0) {
                    for (int e = k + 1; e < in.length && e <= k + 16; e++) {
                        if (in.chars[e] == '}') {
                            return e + 1 - i;
                        }
                    }
                }
            }
        }
        if (matches(in, i, "$IFS")) {
            return i + 5 < in.length && in.chars[i + 4] == '$' && Character.isDigit(in.chars[i + 5]) ? 6 : 4;
        }
        return 0;
    }

    private static boolean matches(Text in, int i, String s) {
        if (i + s.length() > in.length) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (Confusables.fold(in.chars[i + k]) != Confusables.fold(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A '<' glued between two words (cat</etc/passwd, your<password) is an input redirection or a
     * word gap: a blank. Not a tag (<system>, </im_end>, <!--), a here-doc or a '<&'.
     */
    private static boolean redirectBlank(Text in, int i) {
        if (i == 0 || i + 1 >= in.length) {
            return false;
        }
        char p = in.chars[i - 1];
        if (p == ' ' || p == '\t' || p == '\n' || p == '<' || p == '>' || p == '=' || p == '(' || p == '[' || p == '{') {
            return false;
        }
        char n = in.chars[i + 1];
        if (!(alnum(n) || n == '/' || n == '.' || n == '-' || n == '$' || n == '\'' || n == '"' || n == '\\' || n > 0x7f)) {
            return false;
        }
        int k = i + 1;
        while (k < in.length && k < i + 40 && (alnum(in.chars[k]) || in.chars[k] == '/' || in.chars[k] == '_'
                || in.chars[k] == '-' || in.chars[k] == '|' || in.chars[k] == ':')) {
            k++;
        }
        return k >= in.length || in.chars[k] != '>'; // <name> or </name> is a tag
    }

    /** Blanks collapse to one space; the raw span of the space grows over the run. */
    private static void blank(Text t, int rawStart, int rawEnd) {
        if (t.length > 0 && t.chars[t.length - 1] == ' ') {
            t.end[t.length - 1] = rawEnd;
            return;
        }
        t.add(' ', rawStart, rawEnd);
    }

    private static boolean alnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean wordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.'
                || c > 0x7f && Character.isLetter(c);
    }
}
