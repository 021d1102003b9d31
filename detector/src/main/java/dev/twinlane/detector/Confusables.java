package dev.twinlane.detector;

/**
 * One char folded for matching: lower case; full-width forms, Cyrillic and Greek look-alikes
 * and typographic quotes and slashes to their ASCII twins; Unicode spaces and tabs to ' ';
 * invisible chars (zero-width, soft hyphen, BOM) to {@link #DROP}. A table lookup per char.
 */
final class Confusables {
    static final char DROP = '\uffff';
    private static final char[] TABLE = new char[0x10000];
    private static final char[] SHAPE = new char[0x10000];

    static {
        for (int c = 0; c < TABLE.length; c++) {
            TABLE[c] = (char) Character.toLowerCase(c);
        }
        for (int c = 0xff01; c <= 0xff5e; c++) {
            TABLE[c] = Character.toLowerCase((char) (c - 0xfee0)); // full-width ASCII
        }
        for (char c : "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f".toCharArray()) {
            TABLE[c] = DROP;
        }
        for (char c : "\t\u000b\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000".toCharArray()) {
            TABLE[c] = ' ';
        }
        map("\u0430\u0410\u0391\u03b1\u0251", 'a'); // Cyrillic, Greek, Latin, Armenian
        map("\u0432\u0412\u0392\u03b2", 'b');
        map("\u0441\u0421\u03f2\u217d", 'c');
        map("\u0501\u217e\u0500", 'd');
        map("\u0261\u0581\u0262", 'g');
        map("\u0435\u0415\u0451\u0401\u0395\u03b5", 'e');
        map("\u04bb\u041d\u043d\u0397\u0570\u210e", 'h');
        map("\u0456\u0406\u03b9\u2170\u0131\u0269\u026a\u0457\u0407", 'i');
        map("\u0458\u0408\u03f3\u0237", 'j');
        map("\u043a\u041a\u039a\u03ba", 'k');
        map("\u217c\u0399\u04cf\u04c0\u2113", 'l');
        map("\u043c\u041c\u039c\u217f", 'm');
        map("\u039d\u03b7\u0578\u057c", 'n');
        map("\u043e\u041e\u039f\u03bf\u03c3\u0585", 'o');
        map("\u0440\u0420\u03a1\u03c1", 'p');
        map("\u051b\u051a\u0566", 'q');
        map("\u0455\u0405", 's');
        map("\u0442\u0422\u03a4\u03c4", 't');
        map("\u03c5\u057d", 'u');
        map("\u03bd\u0475\u2174\u0474", 'v');
        map("\u051d\u051c\u0561", 'w');
        map("\u0445\u0425\u03a7\u03c7", 'x');
        map("\u0443\u0423\u03a5\u04af\u03b3\u028f", 'y');
        map("\u0396", 'z');
        map("\u2018\u2019\u201a\u201b\u2032\u02bc", '\'');
        map("\u201c\u201d\u201e\u201f\u2033", '"');
        map("\u2044\u2215\u29f8", '/');
        map("\u29f9\u2216", '\\');
        map("\u2010\u2011\u2012\u2013\u2014\u2212", '-');
        map("\u037e", ';');
        map("\u2024", '.');
        map("\u01c0\u2223", '|');
        upperCaseTwins();
        for (int c = 0; c < SHAPE.length; c++) {
            boolean special = TABLE[c] != Character.toLowerCase((char) c);
            SHAPE[c] = c >= 0xff01 && c <= 0xff5e ? (char) (c - 0xfee0) : special ? TABLE[c] : (char) c;
        }
    }

    private Confusables() {
    }

    private static void map(String from, char to) {
        for (char c : from.toCharArray()) {
            TABLE[c] = to;
        }
    }

    /**
     * A look-alike upper-cased after it was planted (Armenian ո to Ո, Latin ɡ to Ɡ) folds as its
     * lower case does: the table lists lower-case look-alikes, and a case change must not undo them.
     */
    private static void upperCaseTwins() {
        for (int c = 0; c < TABLE.length; c++) {
            char lower = (char) Character.toLowerCase(c);
            if (lower != c && TABLE[c] == lower && TABLE[lower] != lower) {
                TABLE[c] = TABLE[lower];
            }
        }
    }

    /**
     * The char with its look-alikes and invisibles undone but its case kept (escapes and base64
     * are read after this, and base64 needs the case), or {@link #DROP}.
     */
    static char shape(char c) {
        return SHAPE[c];
    }

    /**
     * A code point above U+FFFF as the char it stands for: the mathematical alphanumerics (bold,
     * italic, script, fraktur, double-struck, sans-serif, monospace letters and digits) as their
     * ASCII letter or digit, case kept; anything else U+FFFD.
     */
    static char astral(int cp) {
        if (cp >= 0x1d400 && cp <= 0x1d6a3) {
            int k = (cp - 0x1d400) % 52;
            return (char) (k < 26 ? 'A' + k : 'a' + k - 26);
        }
        if (cp >= 0x1d7ce && cp <= 0x1d7ff) {
            return (char) ('0' + (cp - 0x1d7ce) % 10);
        }
        return '\ufffd';
    }

    /** The folded char, ' ' for a blank, or {@link #DROP}. */
    static char fold(char c) {
        return TABLE[c];
    }
}
