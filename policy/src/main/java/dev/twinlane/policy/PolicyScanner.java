package dev.twinlane.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the YAML that policy files are written in, in one pass and without SnakeYAML, into the
 * tree {@link PolicyParser} checks; on anything else it gives up (null) and SnakeYAML reads the
 * text. Giving up is always safe, so it takes only what SnakeYAML is sure to read the same way:
 * ASCII printable text in lines ending in \n (comments may hold any character SnakeYAML prints),
 * no tabs; a mapping at column 0 of lowercase keys; block mappings and sequences, a sequence as
 * deep as its key or deeper, a mapping as an item ("- port: 23"); single-line flow lists and
 * mappings ("[a, b]", "{port: 22}"); plain scalars of letters, digits and {@code /._+@%=~-} (and
 * a ':' inside one, in block context: 2001:db8::1) and quoted ones without escapes; comments.
 * Not: anchors, tags, block scalars, multi-line scalars or flow collections, null words,
 * documents markers, nesting deeper than a policy's. Positions count from 0, as SnakeYAML's.
 */
final class PolicyScanner {
    /** SnakeYAML refuses longer texts (the parser's code point limit). */
    private static final int MAX_CHARS = 64 << 20;
    /** root, section, list, rule: a policy's collections go no deeper. */
    private static final int MAX_DEPTH = 3;
    private static final GiveUp GIVE_UP = new GiveUp();
    /** Every key a policy has, most common first. */
    private static final String[] KEYS = {"addr", "cidr", "port", "protocol", "direction", "files", "network",
        "prefixes", "exec", "cgroups", "deny", "allow", "watch", "survival", "version", "mode"};
    /** The characters of a plain scalar, by code: letters, digits and /._+@%=~- (a table: it is asked for every one). */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 0; c < PLAIN.length; c++) {
            PLAIN[c] = Character.isLetterOrDigit(c) || "/._+@%=~-".indexOf(c) >= 0;
        }
    }

    private final String s;
    private int pos;
    private int line;
    private int lineStart;

    private PolicyScanner(String s) {
        this.s = s;
    }

    /** The root mapping, or null when the text is not in the forms this reads. */
    static PolicyNode read(String text) {
        if (text.length() > MAX_CHARS) {
            return null;
        }
        try {
            return new PolicyScanner(text).document();
        } catch (GiveUp e) {
            return null;
        }
    }

    /** Not a failure: the text is SnakeYAML's to read. Thrown without a stack, it costs nothing. */
    private static final class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GiveUp() {
            super(null, null, false, false);
        }
    }

    private PolicyNode document() {
        if (nextContent() != 0) {
            throw GIVE_UP;
        }
        PolicyNode root = blockMapping(0, 0);
        if (pos < s.length()) {
            throw GIVE_UP;
        }
        return root;
    }

    // ---- block structure: each method starts at its first content and stops at the next line's, or at the end ----

    private PolicyNode blockMapping(int indent, int depth) {
        PolicyNode start = collectionAt(PolicyNode.Kind.MAPPING, depth);
        List<PolicyNode> kv = new ArrayList<>();
        int col;
        do {
            kv.add(key());
            kv.add(blockValue(indent, depth));
            col = pos < s.length() ? pos - lineStart : -1;
        } while (col == indent);
        if (col > indent) {
            throw GIVE_UP;
        }
        return with(start, kv);
    }

    /** After "key:": the value on the same line, else the block on the lines below, else null. */
    private PolicyNode blockValue(int indent, int depth) {
        if (at(' ')) {
            skipSpaces();
        } else if (!atLineEnd()) {
            throw GIVE_UP;
        }
        if (!atLineEnd() && !at('#')) {
            PolicyNode v = value(depth, false);
            endLine();
            if (nextContent() > indent) {
                throw GIVE_UP;  // a scalar going on on the next line
            }
            return v;
        }
        int empty = pos - lineStart;
        int emptyLine = line;
        endLine();
        int col = nextContent();
        if (col >= indent && isDash()) {
            return blockSequence(col, depth + 1);
        }
        if (col > indent) {
            return blockMapping(col, depth + 1);
        }
        return new PolicyNode(PolicyNode.Kind.SCALAR, true, "", List.of(), emptyLine, empty);
    }

    private PolicyNode blockSequence(int indent, int depth) {
        PolicyNode start = collectionAt(PolicyNode.Kind.SEQUENCE, depth);
        List<PolicyNode> items = new ArrayList<>();
        int col;
        do {
            pos++;  // the dash
            if (!at(' ')) {
                throw GIVE_UP;  // the item on the lines below
            }
            skipSpaces();
            items.add(isKey() ? blockMapping(pos - lineStart, depth + 1) : inlineItem(depth));
            col = pos < s.length() ? pos - lineStart : -1;
        } while (col == indent && isDash());
        if (col > indent) {
            throw GIVE_UP;
        }
        return with(start, items);
    }

    private PolicyNode inlineItem(int depth) {
        if (at('#')) {
            throw GIVE_UP;
        }
        PolicyNode v = value(depth, false);
        endLine();
        nextContent();
        return v;
    }

    // ---- flow collections, on one line ----

    /** "[a, b]" or "{k: v, k: v}", all on one line. */
    private PolicyNode flow(PolicyNode.Kind kind, char close, int depth) {
        PolicyNode start = collectionAt(kind, depth);
        List<PolicyNode> children = new ArrayList<>();
        pos++;
        skipSpaces();
        if (!at(close)) {
            do {
                if (kind == PolicyNode.Kind.MAPPING) {
                    children.add(key());
                    if (!at(' ')) {
                        throw GIVE_UP;
                    }
                    skipSpaces();
                }
                children.add(value(depth, true));
            } while (flowNext(close));
        }
        pos++;
        return with(start, children);
    }

    /** A scalar or a flow collection, in a block ({@code flow} false) or inside a flow collection. */
    private PolicyNode value(int depth, boolean flow) {
        if (pos >= s.length()) {
            throw GIVE_UP;
        }
        return switch (s.charAt(pos)) {
            case '[' -> flow(PolicyNode.Kind.SEQUENCE, ']', depth + 1);
            case '{' -> flow(PolicyNode.Kind.MAPPING, '}', depth + 1);
            case '\'', '"' -> quoted();
            default -> plain(flow);
        };
    }

    /** After an entry: true at a ',' (and the next entry), false at the closing bracket. */
    private boolean flowNext(char close) {
        skipSpaces();
        if (at(',')) {
            pos++;
            skipSpaces();
            if (at(close)) {
                throw GIVE_UP;
            }
            return true;
        }
        if (!at(close)) {
            throw GIVE_UP;
        }
        return false;
    }

    // ---- scalars ----

    /** A lowercase key and its ':', which a space or the line's end follows. */
    private PolicyNode key() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= 'a' && s.charAt(pos) <= 'z') {
            pos++;
        }
        if (pos == start || !at(':')) {
            throw GIVE_UP;
        }
        PolicyNode k = PolicyNode.scalar(known(start, pos), line, start - lineStart);
        pos++;
        if (!at(' ') && !atLineEnd()) {
            throw GIVE_UP;
        }
        return k;
    }

    /**
     * The key s[from, to) as the parser's own string when it is one of a policy's keys (no copy, and
     * the parser's lookups then find it by identity), else a copy (null words are SnakeYAML's).
     */
    private String known(int from, int to) {
        for (String k : KEYS) {
            if (k.length() == to - from && s.startsWith(k, from)) {
                return k;
            }
        }
        return scalar(from, to).text();
    }

    /** Whether a key (lowercase letters, then ':' and a space or the line's end) starts here. */
    private boolean isKey() {
        int p = pos;
        while (p < s.length() && s.charAt(p) >= 'a' && s.charAt(p) <= 'z') {
            p++;
        }
        return p > pos && p < s.length() && s.charAt(p) == ':'
                && (p + 1 == s.length() || s.charAt(p + 1) == ' ' || s.charAt(p + 1) == '\n');
    }

    private PolicyNode plain(boolean flow) {
        int start = pos;
        char first = s.charAt(pos);
        if (!(Character.isLetterOrDigit(first) && first < 0x80 || first == '/' || first == '.' || first == '_')) {
            throw GIVE_UP;  // the others start YAML's indicators (- ~ @ %) or are no use first
        }
        for (char c; pos < s.length() && (c = s.charAt(pos)) != ' ' && c != '\n' && !(flow && flowEnd(c)); pos++) {
            // a ':' is in a block scalar unless a space or the end follows (then it would be a key)
            if (!plainChar(c) && !(c == ':' && !flow && pos + 1 < s.length()
                    && (plainChar(s.charAt(pos + 1)) || s.charAt(pos + 1) == ':'))) {
                throw GIVE_UP;
            }
        }
        return scalar(start, pos);
    }

    private static boolean plainChar(char c) {
        return c < PLAIN.length && PLAIN[c];
    }

    private static boolean flowEnd(char c) {
        return c == ',' || c == ']' || c == '}';
    }

    /** 'text' or "text", on one line, without escapes ('' or \). */
    private PolicyNode quoted() {
        char quote = s.charAt(pos);
        int start = pos;
        int end = s.indexOf(quote, pos + 1);
        if (end < 0) {
            throw GIVE_UP;
        }
        for (int i = pos + 1; i < end; i++) {
            char c = s.charAt(i);
            if (c < ' ' || c > '~' || c == '\\') {
                throw GIVE_UP;
            }
        }
        pos = end + 1;
        if (at('\'')) {
            throw GIVE_UP;
        }
        return PolicyNode.scalar(s.substring(start + 1, end), line, start - lineStart);
    }

    /** A plain scalar's node; the words SnakeYAML reads as null are left to it. */
    private PolicyNode scalar(int start, int end) {
        String text = s.substring(start, end);
        if (text.equals("null") || text.equals("Null") || text.equals("NULL")) {
            throw GIVE_UP;
        }
        return PolicyNode.scalar(text, line, start - lineStart);
    }

    // ---- lines ----

    /**
     * From the start of a line, past blank and comment lines to the next content: its column, or
     * -1 at the end of the text.
     */
    private int nextContent() {
        while (true) {
            skipSpaces();
            if (pos >= s.length()) {
                return -1;
            }
            char c = s.charAt(pos);
            if (c != '\n' && c != '#') {
                return pos - lineStart;
            }
            endLine();
        }
    }

    /** Past spaces and a comment to the start of the next line (or the end); anything else gives up. */
    private void endLine() {
        skipSpaces();
        if (at('#')) {
            if (pos > lineStart && s.charAt(pos - 1) != ' ') {
                throw GIVE_UP;  // a comment starts after white space
            }
            skipComment();
        }
        if (pos < s.length()) {
            if (s.charAt(pos) != '\n') {
                throw GIVE_UP;
            }
            pos++;
            line++;
            lineStart = pos;
        }
    }

    /** To the line's end: any character SnakeYAML prints, but those it also takes as line breaks. */
    private void skipComment() {
        for (; pos < s.length() && s.charAt(pos) != '\n'; pos++) {
            char c = s.charAt(pos);
            if (Character.isHighSurrogate(c) && pos + 1 < s.length() && Character.isLowSurrogate(s.charAt(pos + 1))) {
                pos++;
            } else if (!(c == '\t' || c >= ' ' && c <= '~' || c >= 0xA0 && c <= 0xD7FF && c != 0x2028 && c != 0x2029
                    || c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF)) {
                throw GIVE_UP;
            }
        }
    }

    private void skipSpaces() {
        while (at(' ')) {
            pos++;
        }
    }

    private boolean at(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private boolean atLineEnd() {
        return pos >= s.length() || s.charAt(pos) == '\n';
    }

    /** A block sequence's "- " or "-" at a line's end. */
    private boolean isDash() {
        return at('-') && (pos + 1 == s.length() || s.charAt(pos + 1) == ' ' || s.charAt(pos + 1) == '\n');
    }

    private PolicyNode collectionAt(PolicyNode.Kind kind, int depth) {
        if (depth > MAX_DEPTH) {
            throw GIVE_UP;
        }
        return new PolicyNode(kind, false, null, List.of(), line, pos - lineStart);
    }

    private static PolicyNode with(PolicyNode start, List<PolicyNode> children) {
        return new PolicyNode(start.kind(), false, null, children, start.line(), start.column());
    }
}
