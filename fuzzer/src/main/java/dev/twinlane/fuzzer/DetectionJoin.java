package dev.twinlane.fuzzer;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * The one place that knows the detector's records: a detection record follows its subject record
 * (exec or file_open) in the security log, and names the threat class (1-based, in
 * {@link PayloadClass}'s order), the rule and the evidence. Fields are read by name, so a change of
 * layout in twinlane_records.h needs no change here.
 */
final class DetectionJoin {
    /** The detection kind when this build's records define it, else null (no detector: nothing detected). */
    static final RecordKind DETECTION = kindNamed("DETECTION");

    private DetectionJoin() {
    }

    private static RecordKind kindNamed(String name) {
        for (RecordKind k : RecordKind.values()) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    static boolean available() {
        return DETECTION != null;
    }

    static boolean isDetection(RecordView r) {
        return DETECTION != null && r.kindCode() == DETECTION.code();
    }

    /** The class a detection record names, or null for a code outside the enum. */
    static PayloadClass threatClass(RecordView r) {
        int code = (int) r.number("threat_class");
        return code >= 1 && code <= PayloadClass.values().length ? PayloadClass.values()[code - 1] : null;
    }

    /** rule id and evidence, for the report's examples. */
    static String describe(RecordView r) {
        return r.text("rule") + ": " + r.text("evidence");
    }
}
