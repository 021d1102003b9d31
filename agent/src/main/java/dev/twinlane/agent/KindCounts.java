package dev.twinlane.agent;

import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.router.Records;

/**
 * Records read from the kernel, counted by kind, for run's summary and the status file. A tap: both
 * router threads call it (atomic counts, one uncontended increment per record).
 */
final class KindCounts implements Records.Tap {
    private final AtomicLongArray counts = new AtomicLongArray(RecordKind.MAX_CODE + 1);

    @Override
    public void accept(RecordView r) {
        int code = r.kindCode();
        if (code < counts.length()) {
            counts.incrementAndGet(code);
        }
    }

    /** "records by kind: exec 12, file_open 40, fork 3", in tl_kind order. */
    String line() {
        StringJoiner by = new StringJoiner(", ", "records by kind: ", "").setEmptyValue("records by kind: none");
        for (int code = 0; code < counts.length(); code++) {
            long n = counts.get(code);
            if (n > 0) {
                by.add(KindNames.of(code) + " " + n);
            }
        }
        return by.toString();
    }
}
