package dev.twinlane.detector;

/**
 * A '+' that stands for a blank, as form encoding writes one (admin'+or+1=1--, x+;+rm+-rf+/): a
 * raw '+' in a word (no blank in it) with at least one other run of '+', since an encoder turns
 * every blank of a phrase into one. One '+' in a word stays (1.2+dfsg, u+s, c++, g++-12), and so
 * does an encoded '%2B', which is a plus, not a blank. Read from the raw bytes, so the normaliser
 * and the plain-bytes gate decide alike.
 */
final class FormBlanks {
    /** How far a word is read each way: a longer one is no phrase an encoder wrote. */
    private static final int REACH = 256;

    private FormBlanks() {
    }

    /** Whether raw byte i of the string [from, to) is a '+' that reads as a blank. */
    static boolean at(byte[] b, int i, int from, int to) {
        if (b[i] != '+') {
            return false;
        }
        int runs = 1;
        for (int k = i - 1, stop = Math.max(from, i - REACH); k >= stop && !blank(b[k]); k--) {
            runs += b[k] == '+' && b[k + 1] != '+' ? 1 : 0;
        }
        for (int k = i + 1, stop = Math.min(to, i + REACH); k < stop && !blank(b[k]); k++) {
            runs += b[k] == '+' && b[k - 1] != '+' ? 1 : 0;
        }
        return runs >= 2;
    }

    /**
     * Whether raw byte i starts the second run of '+' in its word, looking back only: what a left to
     * right pass over a plain string asks, since the first run of a form's word comes before.
     */
    static boolean secondRun(byte[] b, int i, int from) {
        if (b[i] != '+' || i > from && b[i - 1] == '+') {
            return false;
        }
        for (int k = i - 1, stop = Math.max(from, i - REACH); k >= stop && !blank(b[k]); k--) {
            if (b[k] == '+') {
                return true;
            }
        }
        return false;
    }

    private static boolean blank(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0;
    }
}
