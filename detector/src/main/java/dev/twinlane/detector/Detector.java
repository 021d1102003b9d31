package dev.twinlane.detector;

import java.util.List;
import java.util.regex.Matcher;

/**
 * Scans UTF-8 strings for hostile payloads: normalises them ({@link Normaliser}; a string whose
 * normal form is its bytes in lower case, {@link PlainBytes}, is read as it is), finds the rules
 * whose anchors occur ({@link Anchors}) and runs those rules' patterns in rule order; the first
 * match is the finding. Thread-confined and reusable: its buffers and matchers are its own, so a
 * clean string allocates nothing. Counts what it scanned and found, for the metrics.
 */
public final class Detector {
    private final List<DetectionRules.Rule> rules;
    private final Matcher[] matchers;
    private final Anchors anchors;
    private final long[] hits;
    private final Normaliser normaliser = new Normaliser();
    private final PlainBytes plainBytes = new PlainBytes();
    private final long[] found = new long[ThreatClass.values().length];
    private long scanned;

    public Detector(DetectionRules rules) {
        this.rules = rules.rules();
        this.matchers = new Matcher[this.rules.size()];
        for (int r = 0; r < matchers.length; r++) {
            matchers[r] = this.rules.get(r).pattern().matcher("");
        }
        this.anchors = new Anchors(this.rules);
        this.hits = new long[Anchors.words(this.rules.size())];
    }

    /**
     * Scans {@code len} bytes of UTF-8 from {@code off}; true, with {@code out} filled (span relative to
     * {@code off}), when a rule matches. A NUL counts as a blank.
     */
    public boolean scan(byte[] buf, int off, int len, Finding out) {
        scanned++;
        // a plain string's normal form is its bytes, lower case: the anchors read them, and most clean strings stop here
        boolean plain = anchors.findPlain(buf, off, len, plainBytes, hits);
        if (plain) {
            if (none(hits)) {
                out.clear();
                return false;
            }
        }
        Text t = plain ? normaliser.plain(buf, off, len) : normaliser.normalise(buf, off, len);
        if (!plain) {
            anchors.find(t, hits);
        }
        for (int w = 0; w < hits.length; w++) {
            long bits = hits[w];
            while (bits != 0) {
                int r = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                Matcher m = matchers[r].reset(t);
                if (m.find()) {
                    return found(r, t, m.start(), m.end(), out);
                }
            }
        }
        out.clear();
        return false;
    }

    /**
     * Scans an argv block (NUL-separated, as in an exec record): all elements joined by blanks
     * first, since a payload split across elements is an evasion and a fragment of it can read as
     * another class (a prompt's "run iptables -F" alone is a command); then, when that found
     * nothing, each element. The span is relative to {@code off}; {@link Finding#argIndex()} names
     * its first element.
     */
    public boolean scanArgs(byte[] buf, int off, int len, Finding out) {
        int elements = 1;
        for (int i = 0; i < len; i++) {
            if (buf[off + i] == 0) {
                elements++;
            }
        }
        if (elements > 1 && scan(buf, off, len, out)) {
            out.argIndex(elementAt(buf, off, out.spanStart()));
            return true;
        }
        int start = 0;
        int element = 0;
        for (int i = 0; i <= len; i++) {
            if (i == len || buf[off + i] == 0) {
                if (i > start && scan(buf, off + start, i - start, out)) {
                    out.shift(start);
                    out.argIndex(element);
                    return true;
                }
                element++;
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean none(long[] bits) {
        for (long w : bits) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    private static int elementAt(byte[] buf, int off, int at) {
        int index = 0;
        for (int i = 0; i < at; i++) {
            if (buf[off + i] == 0) {
                index++;
            }
        }
        return index;
    }

    /** Strings scanned so far (each argv element and each joined block counts one). */
    public long scanned() {
        return scanned;
    }

    /** Findings of this class so far. */
    public long found(ThreatClass c) {
        return found[c.ordinal()];
    }

    private boolean found(int r, Text t, int from, int to, Finding out) {
        while (from < to && t.chars[from] == ' ') {
            from++;
        }
        DetectionRules.Rule rule = rules.get(r);
        int rawStart = from < t.length ? t.start[from] : t.length > 0 ? t.end[t.length - 1] : 0;
        int rawEnd = from < to ? t.end[to - 1] : rawStart;
        out.set(rule, rawStart, rawEnd, t.chars, from, to);
        found[rule.threatClass().ordinal()]++;
        return true;
    }
}
