package dev.twinlane.detector;

import java.util.ArrayList;
import java.util.List;

/**
 * The prefilter: finds the rules whose anchor groups all occur in a text (one literal of each
 * group), in one pass with a lookup per char pair, so a rule's pattern runs only on texts that
 * can match it.
 */
final class Anchors {
    private final Pair[] byPair = new Pair[128 * 128];
    private final int[][] bySingle = new int[128][];
    /** Which pairs and single chars start an anchor at all: 2 KiB, so most chars cost one cached bit test. */
    private final long[] pairBits = new long[128 * 128 / 64];
    private final long[] singleBits = new long[2];
    private final char[][] literal;
    private final int[] ruleOf;
    private final int[] groupBit;
    private final int[] allGroups;
    private final int[] seen;

    Anchors(List<DetectionRules.Rule> rules) {
        List<char[]> lits = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        List<Integer> bits = new ArrayList<>();
        allGroups = new int[rules.size()];
        seen = new int[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            List<List<String>> groups = rules.get(r).anchors();
            allGroups[r] = (1 << groups.size()) - 1;
            for (int g = 0; g < groups.size(); g++) {
                for (String a : groups.get(g)) {
                    lits.add(a.toCharArray());
                    owners.add(r);
                    bits.add(1 << g);
                }
            }
        }
        literal = lits.toArray(new char[0][]);
        ruleOf = owners.stream().mapToInt(Integer::intValue).toArray();
        groupBit = bits.stream().mapToInt(Integer::intValue).toArray();
        for (int a = 0; a < literal.length; a++) {
            char[] l = literal[a];
            if (l.length == 1) {
                bySingle[l[0]] = append(bySingle[l[0]], a);
                singleBits[l[0] >> 6] |= 1L << l[0];
            } else {
                int key = l[0] * 128 + l[1];
                byPair[key] = (byPair[key] == null ? new Pair() : byPair[key]).add(a, l);
                pairBits[key >> 6] |= 1L << key;
            }
        }
    }

    static int words(int rules) {
        return (rules + 63) >> 6;
    }

    /** Sets in {@code hits} the bit of every rule with all its anchor groups in {@code t} (or none at all). */
    void find(Text t, long[] hits) {
        java.util.Arrays.fill(seen, 0);
        char[] c = t.chars;
        int n = t.length;
        for (int i = 0; i < n; i++) {
            char c0 = c[i];
            if (c0 >= 128) {
                continue;
            }
            if ((singleBits[c0 >> 6] & 1L << c0) != 0) {
                mark(bySingle[c0]);
            }
            int key = i + 1 < n && c[i + 1] < 128 ? c0 * 128 + c[i + 1] : -1;
            if (key >= 0 && (pairBits[key >> 6] & 1L << key) != 0) {
                matchPair(byPair[key], c, i, n);
            }
        }
        java.util.Arrays.fill(hits, 0);
        for (int r = 0; r < seen.length; r++) {
            if (seen[r] == allGroups[r]) {
                hits[r >> 6] |= 1L << r;
            }
        }
    }

    /** The anchors starting with this pair: two-char ones, and longer ones behind a test of their third char. */
    private static final class Pair {
        int[] exact;
        int[] longer;
        final long[] third = new long[2];

        Pair add(int anchor, char[] l) {
            if (l.length == 2) {
                exact = append(exact, anchor);
            } else {
                longer = append(longer, anchor);
                third[(l[2] & 127) >> 6] |= 1L << l[2];  // anchors are ASCII
            }
            return this;
        }
    }

    private void matchPair(Pair p, char[] c, int i, int n) {
        if (p.exact != null) {
            mark(p.exact);
        }
        if (p.longer == null || i + 2 >= n) {
            return;
        }
        char c2 = c[i + 2];
        if (c2 >= 128 || (p.third[c2 >> 6] & 1L << c2) == 0) {
            return;
        }
        for (int a : p.longer) {
            if (startsAt(literal[a], c, i, n)) {
                seen[ruleOf[a]] |= groupBit[a];
            }
        }
    }

    private void mark(int[] anchors) {
        for (int a : anchors) {
            seen[ruleOf[a]] |= groupBit[a];
        }
    }

    private static boolean startsAt(char[] lit, char[] c, int i, int n) {
        if (i + lit.length > n) {
            return false;
        }
        for (int k = 2; k < lit.length; k++) {
            if (c[i + k] != lit[k]) {
                return false;
            }
        }
        return true;
    }

    private static int[] append(int[] a, int v) {
        int[] b = a == null ? new int[1] : java.util.Arrays.copyOf(a, a.length + 1);
        b[b.length - 1] = v;
        return b;
    }
}
