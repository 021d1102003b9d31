package dev.twinlane.detector;

import java.nio.charset.StandardCharsets;

/**
 * What {@link Detector#scan} found: reused from scan to scan (no allocation per string), so
 * read it before the next scan. The span counts bytes of the raw input, from its {@code off}.
 */
public final class Finding {
    private final byte[] evidence = new byte[EVIDENCE_MAX];
    private ThreatClass threatClass;
    private DetectionRules.Rule rule;
    private int spanStart;
    private int spanLength;
    private int evidenceLength;
    private int argIndex;

    /** Evidence beyond this many bytes is cut; {@link #evidenceLength()} still says the whole length. */
    public static final int EVIDENCE_MAX = 128;

    public ThreatClass threatClass() {
        return threatClass;
    }

    public int ruleId() {
        return rule.id();
    }

    public String ruleName() {
        return rule.name();
    }

    /** The rule's name as ASCII bytes (no allocation). */
    public byte[] ruleNameBytes() {
        return rule.nameBytes();
    }

    /** First byte of the match in the raw input, relative to the scan's {@code off}. */
    public int spanStart() {
        return spanStart;
    }

    /** Length of the match in raw bytes (encoded forms are longer than their evidence). */
    public int spanLength() {
        return spanLength;
    }

    /** For {@link Detector#scanArgs}: the NUL-separated element the span starts in; else 0. */
    public int argIndex() {
        return argIndex;
    }

    /** The matched text after normalisation (ASCII), its first {@link #EVIDENCE_MAX} bytes. */
    public byte[] evidence() {
        return evidence;
    }

    /** The normalised match's true length. */
    public int evidenceLength() {
        return evidenceLength;
    }

    /** The evidence as a string (allocates: for tests and messages). */
    public String evidenceText() {
        return new String(evidence, 0, Math.min(evidenceLength, EVIDENCE_MAX), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return threatClass == null ? "no finding"
                : threatClass.label() + " " + rule.id() + " " + rule.name() + " [" + spanStart + "+" + spanLength
                        + "] " + evidenceText();
    }

    void set(DetectionRules.Rule r, int rawStart, int rawEnd, char[] text, int from, int to) {
        rule = r;
        threatClass = r.threatClass();
        spanStart = rawStart;
        spanLength = rawEnd - rawStart;
        argIndex = 0;
        evidenceLength = to - from;
        int n = Math.min(evidenceLength, EVIDENCE_MAX);
        for (int i = 0; i < n; i++) {
            char c = text[from + i];
            evidence[i] = c >= ' ' && c < 0x7f ? (byte) c : (byte) '?';
        }
    }

    void argIndex(int index) {
        argIndex = index;
    }

    void shift(int by) {
        spanStart += by;
    }

    void clear() {
        threatClass = null;
        rule = null;
        spanStart = 0;
        spanLength = 0;
        evidenceLength = 0;
        argIndex = 0;
    }
}
