package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * The one place that knows the detector's records: a detection record follows its subject record
 * (exec or file_open) in the security log and names the threat class (1-based, in
 * {@link ThreatClass}'s order), the rule and the evidence. Fields are read by name, so a change of
 * layout in twinlane_records.h needs no change here.
 */
final class DetectionJoin {
    private DetectionJoin() {
    }

    static boolean isDetection(RecordView r) {
        return r.kindCode() == RecordKind.DETECTION.code();
    }

    /** The class a detection record names, or null for a code outside the enum. */
    static ThreatClass threatClass(RecordView r) {
        return ThreatClass.of((int) r.number("threat_class"));
    }

    /** rule and evidence, for the report's examples. */
    static String describe(RecordView r) {
        return r.text("rule") + ": " + r.text("evidence");
    }
}
