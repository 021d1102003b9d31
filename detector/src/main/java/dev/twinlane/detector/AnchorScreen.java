package dev.twinlane.detector;

/**
 * Which rules' anchors a string passes, and its normal form: what a cost report over a corpus needs
 * to time each rule's pattern on the strings it would really run on (bench's
 * {@code DetectorRuleCost}). The same normaliser and automaton as {@link Detector}, without the
 * plain-bytes shortcut (it changes when, not which, patterns run). Not for the hot path: one per
 * report, thread-confined.
 */
public final class AnchorScreen {
    private final Anchors anchors;
    private final long[] hits;
    private final Normaliser normaliser = new Normaliser();
    private Text text;

    public AnchorScreen(DetectionRules rules) {
        this.anchors = new Anchors(rules.rules());
        this.hits = new long[Anchors.words(rules.size())];
    }

    /**
     * Normalises {@code len} bytes of UTF-8 from {@code off} and writes into {@code rules} the indexes
     * (in {@link DetectionRules#rules()}, ascending) of the rules whose anchors occur; returns how
     * many. {@code rules} needs room for every rule.
     */
    public int passing(byte[] buf, int off, int len, int[] rules) {
        text = normaliser.normalise(buf, off, len);
        anchors.find(text, hits);
        int n = 0;
        for (int w = 0; w < hits.length; w++) {
            for (long bits = hits[w]; bits != 0; bits &= bits - 1) {
                rules[n++] = (w << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return n;
    }

    /** The normal form of the last string passed to {@link #passing}: what the patterns read. */
    public CharSequence normalForm() {
        return text;
    }
}
