package dev.twinlane.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the builtin rules make of a string, for tests: its normal form, whether it is plain, the class found. */
final class Reading {
    private final Detector detector = new Detector(DetectionRules.builtin());
    private final Finding finding = new Finding();

    /** The class found in s, or null; {@link #finding()} holds the rest. */
    ThreatClass scan(String s) {
        byte[] b = Payloads.utf8(s);
        return detector.scan(b, 0, b.length, finding) ? finding.threatClass() : null;
    }

    Finding finding() {
        return finding;
    }

    /** Asserts that s reads as {@code normal} and is found as {@code c}. */
    void assertReads(String s, String normal, ThreatClass c) {
        assertEquals(normal, normal(s), s);
        assertEquals(c, scan(s), s);
    }

    static String normal(String s) {
        byte[] b = Payloads.utf8(s);
        return new Normaliser().normalise(b, 0, b.length).toString();
    }

    static boolean plain(String s) {
        byte[] b = Payloads.utf8(s);
        return new PlainBytes().test(b, 0, b.length);
    }
}
