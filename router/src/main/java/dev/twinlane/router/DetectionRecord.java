package dev.twinlane.router;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import dev.twinlane.detector.Finding;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/**
 * The detection record (struct tl_detection) of one finding, written into one reused buffer: the
 * subject's header copied (so exec_id, pid, comm and cgroup link the two), then the finding.
 * Thread-confined.
 */
final class DetectionRecord {
    private static final int HEADER = RecordLayout.HEADER.size();
    private static final int SIZE = RecordLayout.DETECTION.size();

    private final byte[] record = new byte[SIZE];
    private final ByteBuffer fields = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
    private final RecordView view = new RecordView();

    /** The detection record of {@code f}, found in {@code field} of {@code subject}; valid until the next call. */
    RecordView of(RecordView subject, Ring from, DetectionField field, Finding f) {
        Arrays.fill(record, (byte) 0);
        subject.copyTo(0, HEADER, record, 0);
        put16(at("kind"), RecordKind.DETECTION.code());
        put16(at("size"), SIZE);
        put16(at("subject_kind"), subject.kindCode());
        record[at("field")] = (byte) field.code();
        record[at("threat_class")] = (byte) f.threatClass().code();
        put16(at("rule_id"), f.ruleId());
        put16(at("arg_index"), Math.min(f.argIndex(), 0xffff));
        put32(at("span_start"), f.spanStart());
        put32(at("span_len"), f.spanLength());
        put32(at("evidence_len"), f.evidenceLength());
        record[at("subject_ring")] = (byte) from.id();
        byte[] name = f.ruleNameBytes();
        System.arraycopy(name, 0, record, at("rule"), Math.min(name.length, RecordLayout.RULE_NAME_MAX - 1));
        // Cut with its true length beside it; the last byte stays NUL.
        int n = Math.min(f.evidenceLength(), Math.min(Finding.EVIDENCE_MAX, RecordLayout.EVIDENCE_MAX - 1));
        System.arraycopy(f.evidence(), 0, record, at("evidence"), n);
        return view.wrap(record, 0, SIZE);
    }

    private static int at(String field) {
        return RecordLayout.DETECTION.field(field).offset();
    }

    private void put16(int at, int v) {
        fields.putShort(at, (short) v);
    }

    private void put32(int at, int v) {
        fields.putInt(at, v);
    }
}
