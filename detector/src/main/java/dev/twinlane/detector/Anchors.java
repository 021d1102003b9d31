package dev.twinlane.detector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The prefilter: finds the rules whose anchor groups all occur in a text (one literal of each
 * group), so a rule's pattern runs only on texts that can match it. The literals of every rule
 * are compiled once into one Aho–Corasick automaton (a full transition table), so the pass costs
 * one table step per char, however many literals the rules have.
 */
final class Anchors {
    /** Anchors are ASCII: a char at or above this cannot be part of one and sends the automaton home. */
    private static final int ASCII = 128;

    /** The input class of each ASCII char: 0 for chars no literal uses, so the table stays narrow. */
    private final byte[] classOf = new byte[ASCII];
    private final int classes;
    /**
     * next[state * classes + class]: the state after that char (goto and failure links folded in).
     * States where no literal ends come first, so a state's number says whether any does.
     */
    private final char[] next;
    private final int firstEnding;
    /**
     * endings[state - firstEnding]: what the literals ending in a state (its own and its failure chain's)
     * mark, one entry per rule: {@code rule << GROUP_BITS | its groups' bits}. Merged per rule and packed
     * so that a visit, which the common literals ('=', '|', "system") make several times per line,
     * is one load per rule rather than three per literal.
     */
    private final int[][] endings;
    private static final int GROUP_BITS = 8;
    private static final int GROUP_MASK = (1 << GROUP_BITS) - 1;
    /**
     * Per raw byte of a plain string: the input class of its normal char (upper case folded) in the low
     * bits, {@link #BASE64} when it can be part of a base64 run, {@link #LOOK} when {@link PlainBytes#plainAt}
     * must decide (a byte a pass rewrites, '_', a blank, '<', '/').
     */
    private final int[] byteInfo = new int[256];
    private static final int BASE64 = 1 << 8;
    private static final int LOOK = 1 << 9;
    private final int[] allGroups;
    private final int[] anchorless;
    private final int[] seen;
    /** The rules with some group seen in the current text, so that only they are collected and reset. */
    private final int[] touched;
    private int touchedCount;

    Anchors(List<DetectionRules.Rule> rules) {
        List<char[]> literals = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        List<Integer> bits = new ArrayList<>();
        allGroups = new int[rules.size()];
        seen = new int[rules.size()];
        touched = new int[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            List<List<String>> groups = rules.get(r).anchors();
            allGroups[r] = (1 << groups.size()) - 1;
            for (int g = 0; g < groups.size(); g++) {
                for (String a : groups.get(g)) {
                    literals.add(a.toCharArray());
                    owners.add(r);
                    bits.add(1 << g);
                }
            }
        }
        anchorless = java.util.stream.IntStream.range(0, rules.size()).filter(r -> allGroups[r] == 0).toArray();
        classes = assignClasses(literals);
        Trie trie = new Trie(classes);
        for (int a = 0; a < literals.size(); a++) {
            trie.add(literals.get(a), classOf, a);
        }
        if (trie.size() > Character.MAX_VALUE) {
            throw new IllegalArgumentException("the rules' anchors make " + trie.size() + " automaton states, over "
                    + (int) Character.MAX_VALUE);
        }
        char[] linked = new char[trie.size() * classes];
        int[][] ending = new int[trie.size()][];
        int[] breadthFirst = link(trie, linked, ending);
        int[] order = endingsLast(ending, breadthFirst);
        next = renumbered(linked, order);
        firstEnding = trie.size() - (int) Arrays.stream(ending).filter(e -> e != null).count();
        endings = new int[trie.size() - firstEnding][];
        for (int st = 0; st < ending.length; st++) {
            if (ending[st] != null) {
                endings[order[st] - firstEnding] = packed(ending[st], owners, bits);
            }
        }
        for (int c = 0; c < byteInfo.length; c++) {
            int normal = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            byteInfo[c] = (normal < ASCII ? classOf[normal] : 0) | (PlainBytes.base64((byte) c) ? BASE64 : 0)
                    | (PlainBytes.keptAsIs(c) ? 0 : LOOK);
        }
    }

    /** The literals' marks, merged per rule in the order the rules first appear. */
    private static int[] packed(int[] literals, List<Integer> owners, List<Integer> bits) {
        java.util.LinkedHashMap<Integer, Integer> byRule = new java.util.LinkedHashMap<>();
        for (int a : literals) {
            byRule.merge(owners.get(a), bits.get(a), (x, y) -> x | y);
        }
        return byRule.entrySet().stream().mapToInt(e -> e.getKey() << GROUP_BITS | e.getValue()).toArray();
    }

    /**
     * New numbers for the states: those where no literal ends first, then the others, each part in
     * breadth-first order. Clean text keeps the automaton near its root, so the rows it reads are
     * the shallow states': numbered together they share cache lines and pages, where the trie's
     * order scattered them over the 2.6 MiB table.
     */
    private static int[] endingsLast(int[][] ending, int[] breadthFirst) {
        int[] order = new int[ending.length];
        int n = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int st : breadthFirst) {
                if ((ending[st] != null) == (pass == 1)) {
                    order[st] = n++;
                }
            }
        }
        return order;
    }

    private char[] renumbered(char[] linked, int[] order) {
        char[] out = new char[linked.length];
        for (int st = 0; st < order.length; st++) {
            for (int k = 0; k < classes; k++) {
                out[order[st] * classes + k] = (char) order[linked[st * classes + k]];
            }
        }
        return out;
    }

    static int words(int rules) {
        return (rules + 63) >> 6;
    }

    /** Sets in {@code hits} the bit of every rule with all its anchor groups in {@code t} (or none at all). */
    void find(Text t, long[] hits) {
        char[] c = t.chars;
        int state = 0;
        for (int i = 0, n = t.length; i < n; i++) {
            state = step(state, c[i]);
        }
        collect(hits);
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
            } else {
                // a run just ended: only one long enough to decode is read again
                if (run >= Base64Runs.MIN && plain.runDecodes(b, off, len, i - off - run, i - off)) {
                    return reset();
                }
                run = 0;
            }
            state = next[state * classes + k];
            if (state >= firstEnding) {
                mark(endings[state - firstEnding]);
            }
        }
        if (run >= Base64Runs.MIN && plain.runDecodes(b, off, len, len - run, len)) {
            return reset();
        }
        collect(hits);
        return true;
    }

    private int step(int state, int ch) {
        int s = ch < ASCII ? next[state * classes + classOf[ch]] : 0;
        if (s >= firstEnding) {
            mark(endings[s - firstEnding]);
        }
        return s;
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
            int r = m >>> GROUP_BITS;
            int before = seen[r];
            if (before == 0) {
                touched[touchedCount++] = r;
            }
            seen[r] = before | m & GROUP_MASK;
        }
    }

    private int assignClasses(List<char[]> literals) {
        int n = 1;
        for (char[] l : literals) {
            for (char ch : l) {
                if (ch >= ASCII) {
                    throw new IllegalArgumentException("anchor '" + new String(l) + "' is not ASCII");
                }
                if (classOf[ch] == 0) {
                    classOf[ch] = (byte) n++;
                }
            }
        }
        return n;
    }

    /**
     * Breadth first from the root: each state's failure link, its full row of next states and its
     * endings. Returns the states in the order visited.
     */
    private int[] link(Trie trie, char[] next, int[][] ending) {
        int[] fail = new int[trie.size()];
        int[] visited = new int[trie.size()];
        int visits = 1; // the root
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int k = 0; k < classes; k++) {
            int child = trie.child(0, k);
            next[k] = (char) Math.max(child, 0);
            if (child > 0) {
                queue.add(child);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            visited[visits++] = s;
            ending[s] = merge(trie.ends(s), ending[fail[s]]);
            for (int k = 0; k < classes; k++) {
                int child = trie.child(s, k);
                int viaFail = next[fail[s] * classes + k];
                if (child > 0) {
                    fail[child] = viaFail;
                    next[s * classes + k] = (char) child;
                    queue.add(child);
                } else {
                    next[s * classes + k] = (char) viaFail;
                }
            }
        }
        return visited;
    }

    private static int[] merge(int[] own, int[] inherited) {
        if (own == null) {
            return inherited;
        }
        if (inherited == null) {
            return own;
        }
        int[] both = Arrays.copyOf(own, own.length + inherited.length);
        System.arraycopy(inherited, 0, both, own.length, inherited.length);
        return both;
    }

    /** The literals' trie while the automaton is built. */
    private static final class Trie {
        private final int classes;
        private final List<int[]> children = new ArrayList<>();
        private final List<int[]> ends = new ArrayList<>();

        Trie(int classes) {
            this.classes = classes;
            newState();
        }

        int size() {
            return children.size();
        }

        int child(int state, int k) {
            return children.get(state)[k];
        }

        int[] ends(int state) {
            return ends.get(state);
        }

        void add(char[] literal, byte[] classOf, int anchor) {
            int s = 0;
            for (char ch : literal) {
                int k = classOf[ch];
                if (children.get(s)[k] == 0) {
                    children.get(s)[k] = newState();
                }
                s = children.get(s)[k];
            }
            int[] e = ends.get(s);
            e = e == null ? new int[1] : Arrays.copyOf(e, e.length + 1);
            e[e.length - 1] = anchor;
            ends.set(s, e);
        }

        private int newState() {
            children.add(new int[classes]);
            ends.add(null);
            return children.size() - 1;
        }
    }
}
