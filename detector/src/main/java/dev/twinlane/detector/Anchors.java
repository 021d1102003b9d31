package dev.twinlane.detector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The prefilter: finds the rules whose anchor groups all occur in a text (one literal of each
 * group), so a rule's pattern runs only on texts that can match it. The literals of every rule
 * are compiled once into Aho–Corasick automata ({@link Automaton}), so the pass costs one table
 * step per char, however many literals the rules have: ASCII literals in one that every text
 * runs through, literals with other chars (phrases of other scripts) in a second that only a
 * text holding such chars runs through, so ASCII strings pay nothing for them.
 */
final class Anchors {
    /** The ASCII automaton's alphabet: a char at or above this sends it home. */
    private static final int ASCII = 128;
    private static final int WIDE = 0x10000;

    private final Automaton ascii;
    /** The literals with a char outside ASCII, or null when the rules have none. */
    private final Automaton wide;
    private final char[] next;
    /** The ASCII automaton's tables, held here too: the hot loops read them without a hop. */
    private final short[] classOf;
    private final int classes;
    private final int firstEnding;
    private final int[][] endings;
    /**
     * Per raw byte of a plain string: the input class of its normal char (upper case folded) in the low
     * bits, {@link #BASE64} when it can be part of a base64 run, {@link #LOOK} when {@link PlainBytes#plainAt}
     * must decide (a byte a pass rewrites, '_', a blank, '<', '/').
     */
    private final int[] byteInfo = new int[256];
    private static final int BASE64 = 1 << 8;
    private static final int LOOK = 1 << 9;
    private static final int PLUS = 1 << 10;
    private final int[] allGroups;
    private final int[] anchorless;
    private final int[] seen;
    /** The rules with some group seen in the current text, so that only they are collected and reset. */
    private final int[] touched;
    private int touchedCount;

    Anchors(List<DetectionRules.Rule> rules) {
        List<char[]> narrow = new ArrayList<>();
        List<Integer> narrowMarks = new ArrayList<>();
        List<char[]> other = new ArrayList<>();
        List<Integer> otherMarks = new ArrayList<>();
        allGroups = new int[rules.size()];
        seen = new int[rules.size()];
        touched = new int[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            List<List<String>> groups = rules.get(r).anchors();
            allGroups[r] = (1 << groups.size()) - 1;
            for (int g = 0; g < groups.size(); g++) {
                for (String a : groups.get(g)) {
                    boolean isAscii = a.chars().allMatch(ch -> ch < ASCII);
                    (isAscii ? narrow : other).add(a.toCharArray());
                    (isAscii ? narrowMarks : otherMarks).add(r << Automaton.GROUP_BITS | 1 << g);
                }
            }
        }
        anchorless = java.util.stream.IntStream.range(0, rules.size()).filter(r -> allGroups[r] == 0).toArray();
        ascii = new Automaton(narrow, narrowMarks, ASCII);
        wide = other.isEmpty() ? null : new Automaton(other, otherMarks, WIDE);
        next = ascii.next;
        classOf = ascii.classOf;
        classes = ascii.classes;
        firstEnding = ascii.firstEnding;
        endings = ascii.endings;
        for (int c = 0; c < byteInfo.length; c++) {
            int normal = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            byteInfo[c] = (normal < ASCII ? classOf[normal] : 0) | (PlainBytes.base64((byte) c) ? BASE64 : 0)
                    | (PlainBytes.keptAsIs(c) ? 0 : LOOK) | (c == '+' ? PLUS : 0);
        }
    }

    static int words(int rules) {
        return (rules + 63) >> 6;
    }

    /** Sets in {@code hits} the bit of every rule with all its anchor groups in {@code t} (or none at all). */
    void find(Text t, long[] hits) {
        char[] c = t.chars;
        int state = 0;
        boolean beyondAscii = false;
        for (int i = 0, n = t.length; i < n; i++) {
            char ch = c[i];
            if (ch >= ASCII) {
                beyondAscii = true;
                state = 0;
                continue;
            }
            state = next[state * classes + classOf[ch]];
            if (state >= firstEnding) {
                mark(endings[state - firstEnding]);
            }
        }
        if (beyondAscii && wide != null) {
            findWide(t);
        }
        collect(hits);
    }

    private void findWide(Text t) {
        int state = 0;
        for (int i = 0, n = t.length; i < n; i++) {
            state = wide.step(state, t.chars[i]);
            if (state >= wide.firstEnding) {
                mark(wide.endings[state - wide.firstEnding]);
            }
        }
    }

    /**
     * The same over raw bytes, read through their normal form while they are plain ({@link PlainBytes}),
     * checking that as it goes: one pass. False, with {@code hits} not set, when they are not plain
     * (then the normaliser must read them and {@link #find(Text, long[])} its text).
     */
    boolean findPlain(byte[] b, int off, int len, PlainBytes plain, long[] hits) {
        int state = 0;
        int run = 0;
        for (int i = off, end = off + len; i < end; i++) {
            int info = byteInfo[b[i] & 0xff];
            int k = info & 0xff;
            if ((info & LOOK) != 0) {
                int ch = PlainBytes.plainAt(b, i, off, end);
                if (ch == PlainBytes.REWRITTEN) {
                    return reset();
                }
                k = classOf[ch];
            }
            if ((info & BASE64) != 0) {
                run++;
                if ((info & PLUS) != 0 && FormBlanks.secondRun(b, i, off)) {
                    return reset(); // a form's blanks, which the normaliser reads
                }
            } else if (run > 0) {
                // a run just ended: only one that can decode is read again
                if (Base64Runs.mayDecode(b, i, end, run) && plain.runDecodes(b, off, len, i - off - run, i - off)) {
                    return reset();
                }
                run = 0;
            }
            state = next[state * classes + k];
            if (state >= firstEnding) {
                mark(endings[state - firstEnding]);
            }
        }
        if (Base64Runs.mayDecode(b, off + len, off + len, run) && plain.runDecodes(b, off, len, len - run, len)) {
            return reset();
        }
        collect(hits);
        return true;
    }

    private void collect(long[] hits) {
        Arrays.fill(hits, 0);
        for (int i = 0; i < touchedCount; i++) {
            int r = touched[i];
            if (seen[r] == allGroups[r]) {
                hits[r >> 6] |= 1L << r;
            }
            seen[r] = 0;
        }
        touchedCount = 0;
        // a rule without anchors runs on every text
        for (int r : anchorless) {
            hits[r >> 6] |= 1L << r;
        }
    }

    private boolean reset() {
        for (int i = 0; i < touchedCount; i++) {
            seen[touched[i]] = 0;
        }
        touchedCount = 0;
        return false;
    }

    private void mark(int[] marks) {
        for (int m : marks) {
            int r = m >>> Automaton.GROUP_BITS;
            int before = seen[r];
            if (before == 0) {
                touched[touchedCount++] = r;
            }
            seen[r] = before | m & Automaton.GROUP_MASK;
        }
    }
}
