package dev.twinlane.detector;

import java.util.ArrayList;
import java.util.List;

/**
 * The prefilter: finds which rules' anchor literals occur in a text, in one pass with a
 * lookup per char pair, so a rule's pattern runs only on texts that can match it.
 */
final class Anchors {
    private final int[][] byPair = new int[128 * 128][];
    private final int[][] bySingle = new int[128][];
    private final char[][] literal;
    private final int[] ruleOf;
    private final long[] always;

    Anchors(List<DetectionRules.Rule> rules) {
        List<char[]> lits = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        always = new long[words(rules.size())];
        for (int r = 0; r < rules.size(); r++) {
            if (rules.get(r).anchors().isEmpty()) {
                always[r >> 6] |= 1L << r;
            }
            for (String a : rules.get(r).anchors()) {
                lits.add(a.toCharArray());
                owners.add(r);
            }
        }
        literal = lits.toArray(new char[0][]);
        ruleOf = owners.stream().mapToInt(Integer::intValue).toArray();
        for (int a = 0; a < literal.length; a++) {
            char[] l = literal[a];
            if (l.length == 1) {
                bySingle[l[0]] = append(bySingle[l[0]], a);
            } else {
                int key = l[0] * 128 + l[1];
                byPair[key] = append(byPair[key], a);
            }
        }
    }

    static int words(int rules) {
        return (rules + 63) >> 6;
    }

    /** Sets in {@code hits} the bit of every rule with an anchor in {@code t} (or none at all). */
    void find(Text t, long[] hits) {
        System.arraycopy(always, 0, hits, 0, always.length);
        char[] c = t.chars;
        int n = t.length;
        for (int i = 0; i < n; i++) {
            char c0 = c[i];
            if (c0 >= 128) {
                continue;
            }
            int[] single = bySingle[c0];
            if (single != null) {
                mark(single, hits);
            }
            if (i + 1 < n && c[i + 1] < 128) {
                int[] pair = byPair[c0 * 128 + c[i + 1]];
                if (pair != null) {
                    for (int a : pair) {
                        if (startsAt(literal[a], c, i, n)) {
                            hits[ruleOf[a] >> 6] |= 1L << ruleOf[a];
                        }
                    }
                }
            }
        }
    }

    private void mark(int[] anchors, long[] hits) {
        for (int a : anchors) {
            hits[ruleOf[a] >> 6] |= 1L << ruleOf[a];
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
