package dev.twinlane.detector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One Aho–Corasick automaton over a set of literals, each marking a rule's anchor group: a full
 * transition table over the chars the literals use, so a step is one load. {@link Anchors} keeps
 * two: one for ASCII literals, which every string runs through, and one for literals with other
 * chars (the prompt-injection phrases of other scripts), which only a text with such chars needs.
 */
final class Automaton {
    /** Packed marks: {@code rule << GROUP_BITS | its groups' bits}. */
    static final int GROUP_BITS = 8;
    static final int GROUP_MASK = (1 << GROUP_BITS) - 1;

    /** The input class of each char of the alphabet: 0 for chars no literal uses, so the table stays narrow. */
    final short[] classOf;
    final int classes;
    /**
     * next[state * classes + class]: the state after that char (goto and failure links folded in).
     * States where no literal ends come first, so a state's number says whether any does.
     */
    final char[] next;
    final int firstEnding;
    /**
     * endings[state - firstEnding]: what the literals ending in a state (its own and its failure chain's)
     * mark, merged per rule, so that a visit, which the common literals ('=', '|', "system") make several
     * times per line, is one load per rule rather than three per literal.
     */
    final int[][] endings;

    /** {@code marks.get(a)} is literal a's rule and group bit, packed; every char of a literal is below {@code alphabet}. */
    Automaton(List<char[]> literals, List<Integer> marks, int alphabet) {
        classOf = new short[alphabet];
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
                endings[order[st] - firstEnding] = packed(ending[st], marks);
            }
        }
    }

    /** The state after char c; a char no literal uses sends the automaton home. */
    int step(int state, char c) {
        return c < classOf.length ? next[state * classes + classOf[c]] : 0;
    }

    /** The literals' marks, merged per rule in the order the rules first appear. */
    private static int[] packed(int[] literals, List<Integer> marks) {
        LinkedHashMap<Integer, Integer> byRule = new LinkedHashMap<>();
        for (int a : literals) {
            byRule.merge(marks.get(a) >>> GROUP_BITS, marks.get(a) & GROUP_MASK, (x, y) -> x | y);
        }
        return byRule.entrySet().stream().mapToInt(e -> e.getKey() << GROUP_BITS | e.getValue()).toArray();
    }

    /**
     * New numbers for the states: those where no literal ends first, then the others, each part in
     * breadth-first order. Clean text keeps the automaton near its root, so the rows it reads are
     * the shallow states': numbered together they share cache lines and pages.
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

    private int assignClasses(List<char[]> literals) {
        int n = 1;
        for (char[] l : literals) {
            for (char ch : l) {
                if (ch >= classOf.length) {
                    throw new IllegalArgumentException("anchor '" + new String(l) + "' is outside this automaton's alphabet");
                }
                if (classOf[ch] == 0) {
                    classOf[ch] = (short) n++;
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

        void add(char[] literal, short[] classOf, int anchor) {
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
