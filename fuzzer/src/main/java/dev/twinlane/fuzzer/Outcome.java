package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.util.List;

/**
 * What became of one payload: whether the security log holds it whole (recorded), and the classes
 * of the detection records that follow its record (or, offline, of the detector's findings).
 */
public record Outcome(Payload payload, boolean recorded, List<ThreatClass> detectedAs, String evidence, String note) {
    public boolean detected() {
        return !detectedAs.isEmpty();
    }

    /** Detected, and as the class it was written for. */
    public boolean detectedAsOwnClass() {
        return payload.threat() != null && detectedAs.contains(payload.threat());
    }
}
