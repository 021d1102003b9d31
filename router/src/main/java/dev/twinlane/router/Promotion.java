package dev.twinlane.router;

import java.util.List;

import dev.twinlane.detector.Finding;
import dev.twinlane.records.RecordView;

/**
 * Observability records that the security lane must also have: the
 * observability thread matches each record against the rules and queues a
 * copy of a match; the security thread, the security lane's only publisher,
 * publishes the queued copies between its own drains.
 */
final class Promotion {
    private final PromotionRule[] rules;
    private final PromotionQueue queue = new PromotionQueue(1024);
    private final Finding finding = new Finding();
    private RecordStrings comms;
    private long promoted;

    Promotion(List<PromotionRule> rules) {
        this.rules = rules.toArray(new PromotionRule[0]);
    }

    /** Before the observability thread starts: also promote records whose comm the detector flags. */
    void detectComm(RecordStrings strings) {
        comms = strings;
    }

    /** Observability thread: queues the record if a rule matches (waits only while the queue is full). */
    void offer(RecordView r) {
        for (PromotionRule rule : rules) {
            if (rule.matches(r)) {
                promote(r);
                return;
            }
        }
        if (comms != null && comms.scanComm(r, finding) != null) {
            promote(r);  // the security thread scans it again and appends its detection record
        }
    }

    private void promote(RecordView r) {
        promoted++;
        queue.put(r);
    }

    long commsScanned() {
        return comms == null ? 0 : comms.detector().scanned();
    }

    /** Security thread: publishes every queued record. */
    void drainTo(SecurityPublisher security) {
        queue.drain(security);
    }

    /** The security thread has made its last drain: a waiting offer gives up. */
    void close() {
        queue.close();
    }

    long promoted() {
        return promoted;
    }

    long lostAtClose() {
        return queue.lostAtClose();
    }
}
