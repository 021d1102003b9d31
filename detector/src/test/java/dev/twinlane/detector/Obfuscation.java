package dev.twinlane.detector;

import java.nio.charset.StandardCharsets;

/** The encodings an attacker wraps a payload in, for tests. */
final class Obfuscation {
    private static final String LATIN = "aceopxyiABCEHKMOPTX";
    private static final String CYRILLIC = "асеорхуіАВСЕНКМОРТХ";

    private Obfuscation() {
    }

    /** Every byte that is not a letter or digit as %XX. */
    static String urlEncoded(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            boolean plain = c < 0x80 && Character.isLetterOrDigit(c);
            b.append(plain ? String.valueOf(c) : String.format("%%%02X", x & 0xff));
        }
        return b.toString();
    }

    static String fullWidth(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c > ' ' && c < 0x7f ? (char) (c + 0xfee0) : c);
        }
        return b.toString();
    }

    static String homoglyphs(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            int i = LATIN.indexOf(c);
            b.append(i >= 0 ? CYRILLIC.charAt(i) : c);
        }
        return b.toString();
    }

    static String zeroWidth(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c);
            if (Character.isLetter(c)) {
                b.append('\u200b');
            }
        }
        return b.toString();
    }

    static String invertedCase(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return b.toString();
    }
}
