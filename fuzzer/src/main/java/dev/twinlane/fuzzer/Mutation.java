package dev.twinlane.fuzzer;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.twinlane.detector.ThreatClass;

/**
 * The ways a payload is disguised: encodings, case, whitespace, shell quoting, look-alike and
 * invisible characters, nesting in another language. Each rewrites one string; most pick one word
 * of it (so the rest stays readable, as an attacker's payload would) and some the whole.
 * Splitting across argv is the generator's, as it makes several strings of one.
 */
enum Mutation {
    URL((s, r) -> word(s, r, w -> percent(w, false))),
    DOUBLE_URL((s, r) -> word(s, r, w -> percent(w, true))),
    URL_SEPARATORS((s, r) -> percentOf(s, " /.;|&'\"<>=")),
    HEX((s, r) -> word(s, r, w -> escape(w, "\\x%02x"))),
    OCTAL((s, r) -> word(s, r, w -> escape(w, "\\%03o"))),
    UNICODE((s, r) -> word(s, r, w -> escape(w, "\\u%04x"))),
    /** base64 in a carrier that runs it: only for command injection, where running it is the point. */
    BASE64_SHELL((s, r) -> base64(s, r, "echo %s | base64 -d | sh", "bash -c \"$(echo %s|base64 --decode)\"",
            "eval $(echo %s | base64 -d)")),
    BASE64((s, r) -> base64(s, r, "%s", "data:text/plain;base64,%s", "b64=%s", "decode and follow: %s", "payload=%s")),
    FULL_WIDTH((s, r) -> r.nextBoolean() ? fullWidth(s) : word(s, r, Mutation::fullWidth)),
    CASE((s, r) -> randomCase(s, r)),
    WHITESPACE(Mutation::whitespace),
    SHELL_QUOTES((s, r) -> word(s, r, w -> quotes(w, r))),
    ANSI_C((s, r) -> word(s, r, w -> "$'" + escape(w, r.nextBoolean() ? "\\x%02x" : "\\%03o") + "'")),
    HOMOGLYPH((s, r) -> homoglyphs(s, r)),
    ZERO_WIDTH((s, r) -> word(s, r, w -> zeroWidth(w, r))),
    NEST(Nesting::wrap);

    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{2,}");
    private final BiFunction<String, SplittableRandom, String> f;

    Mutation(BiFunction<String, SplittableRandom, String> f) {
        this.f = f;
    }

    String apply(String s, SplittableRandom r) {
        return f.apply(s, r);
    }

    /** Rewrites one word of s (letters first, at least 3 characters), or s whole when it has none. */
    private static String word(String s, SplittableRandom r, java.util.function.UnaryOperator<String> g) {
        Matcher m = WORD.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        if (n == 0) {
            return g.apply(s);
        }
        m.reset();
        int pick = r.nextInt(n);
        for (int i = 0; i <= pick; i++) {
            m.find();
        }
        return s.substring(0, m.start()) + g.apply(m.group()) + s.substring(m.end());
    }

    static String percent(String w, boolean twice) {
        StringBuilder b = new StringBuilder();
        for (byte x : w.getBytes(StandardCharsets.UTF_8)) {
            b.append(twice ? "%25" : "%").append(String.format("%02X", x & 0xff));
        }
        return b.toString();
    }

    private static String percentOf(String s, String chars) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(chars.indexOf(c) >= 0 ? String.format("%%%02X", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    static String escape(String w, String format) {
        StringBuilder b = new StringBuilder();
        boolean unicode = format.contains("u");
        if (unicode) {
            w.chars().forEach(c -> b.append(String.format(format, c)));
        } else {
            for (byte x : w.getBytes(StandardCharsets.UTF_8)) {
                b.append(String.format(format, x & 0xff));
            }
        }
        return b.toString();
    }

    /** The whole payload in base64, in one of the carriers (as real droppers do). */
    private static String base64(String s, SplittableRandom r, String... carriers) {
        String b = Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        return carriers[r.nextInt(carriers.length)].replace("%s", b);
    }

    boolean base64() {
        return this == BASE64 || this == BASE64_SHELL;
    }

    /** Whether this mutation suits payloads of class c. */
    boolean suits(ThreatClass c) {
        return this != BASE64_SHELL || c == ThreatClass.COMMAND_INJECTION;
    }

    static String fullWidth(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c > ' ' && c < 0x7f ? (char) (c - 0x21 + 0xFF01) : c == ' ' ? '\u3000' : c);
        }
        return b.toString();
    }

    private static String randomCase(String s, SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return r.nextInt(4) == 0 ? b.toString().toUpperCase(Locale.ROOT) : b.toString();
    }

    private static String whitespace(String s, SplittableRandom r) {
        String[] spaces = {"${IFS}", "$IFS$9", "\t", "   ", "/**/", "+", "%09", "\u00a0", " \t ", "${IFS%??}", "<"};
        String sp = spaces[r.nextInt(spaces.length)];
        return s.replace(" ", sp);
    }

    private static String quotes(String w, SplittableRandom r) {
        String[] styles = {"''", "\"\"", "\\"};
        String q = styles[r.nextInt(styles.length)];
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < w.length(); i++) {
            if (q.equals("\\")) {
                b.append('\\').append(w.charAt(i));
            } else {
                b.append(w.charAt(i));
                if (i < w.length() - 1 && r.nextInt(3) > 0) {
                    b.append(q);
                }
            }
        }
        return b.toString();
    }

    private static final String LATIN = "aceopxyisjABCEHKMOPTXhdlgnu";
    private static final String LOOKS = "асеорхуіѕјАВСЕНКМОРТХһԁӏɡոս";

    private static String homoglyphs(String s, SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            int i = LATIN.indexOf(c);
            b.append(i >= 0 && r.nextInt(3) == 0 ? LOOKS.charAt(i) : c);
        }
        return b.toString();
    }

    private static final List<String> INVISIBLE = List.of("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad");

    private static String zeroWidth(String w, SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < w.length(); i++) {
            b.append(w.charAt(i));
            if (i < w.length() - 1 && r.nextBoolean()) {
                b.append(INVISIBLE.get(r.nextInt(INVISIBLE.size())));
            }
        }
        return b.toString();
    }
}
