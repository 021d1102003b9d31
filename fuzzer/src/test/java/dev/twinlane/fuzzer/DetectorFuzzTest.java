package dev.twinlane.fuzzer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Detector;
import dev.twinlane.detector.Finding;

/**
 * The detector's normaliser decodes attacker-chosen bytes (escapes, base64, look-alikes) on the
 * pipeline's path: any bytes are scanned without an exception, and a finding's span lies inside
 * them. Here rather than in detector/ because that module is the detector's own (its helper's
 * files); the fuzzer depends on it.
 */
class DetectorFuzzTest {
    private static final Detector DETECTOR = new Detector(DetectionRules.builtin());
    private static final Finding FINDING = new Finding();

    @FuzzTest(maxDuration = "2m")
    void anyBytesAreScannedAndAFindingPointsInsideThem(byte[] data) {
        if (DETECTOR.scan(data, 0, data.length, FINDING)) {
            assertTrue(FINDING.spanStart() >= 0 && FINDING.spanLength() >= 0
                    && FINDING.spanStart() + FINDING.spanLength() <= data.length, FINDING.toString());
        }
        if (DETECTOR.scanArgs(data, 0, data.length, FINDING)) {
            assertTrue(FINDING.spanStart() >= 0 && FINDING.spanStart() + FINDING.spanLength() <= data.length, FINDING.toString());
        }
    }
}
