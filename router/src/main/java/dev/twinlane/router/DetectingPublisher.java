package dev.twinlane.router;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Finding;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/**
 * The security thread's publisher when the detector is on: publishes each record, then scans its
 * strings and, for a finding, publishes the detection record right after it (and shows it to the
 * tap), so the security log holds the subject followed by its detection. Promoted observability
 * records pass here too. Thread-confined, like the publisher it wraps.
 */
final class DetectingPublisher extends ForwardingPublisher {
    private final SecurityPublisher next;
    private final Records.Tap tap;
    private final RecordStrings strings;
    private final Finding finding = new Finding();
    private final DetectionRecord detection = new DetectionRecord();

    DetectingPublisher(SecurityPublisher next, DetectionRules rules, Records.Tap tap) {
        this.next = next;
        this.tap = tap;
        this.strings = new RecordStrings(rules);
    }

    RecordStrings strings() {
        return strings;
    }

    @Override
    public void publish(RecordView record) {
        next.publish(record);
        DetectionField field = strings.scan(record, finding);
        if (field != null) {
            Ring from = record.kind().ring();
            RecordView d = detection.of(record, from, field, finding);
            tap.accept(d);
            next.publish(d);
        }
    }

    @Override
    SecurityPublisher next() {
        return next;
    }
}
