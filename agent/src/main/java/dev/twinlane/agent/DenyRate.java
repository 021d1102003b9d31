package dev.twinlane.agent;

import java.util.concurrent.atomic.LongAdder;

import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.router.Records;

/**
 * Counts the connects, binds, opens ... that a policy rule refused (decision TL_DENY with
 * TL_FLAG_POLICY), on the router's thread: two loads per record, offsets looked up once. A
 * sustained spike of these is what the deny-rate revert watches: a policy that suddenly
 * refuses hundreds of things a second is more likely a bad policy than an attack.
 */
final class DenyRate implements Records.Tap {
    private static final int TL_DENY = 1;
    private static final int TL_FLAG_POLICY = 1;
    private static final int FLAGS = RecordLayout.HEADER.field("decision_flags").offset();
    /** The decision field's offset per kind code, -1 for kinds that decide nothing. */
    private static final int[] DECISION = new int[RecordKind.MAX_CODE + 1];

    static {
        java.util.Arrays.fill(DECISION, -1);
        for (RecordKind k : RecordKind.values()) {
            for (Field f : k.layout().fields()) {
                if (f.name().equals("decision")) {
                    DECISION[k.code()] = f.offset();
                }
            }
        }
    }

    private final LongAdder denied = new LongAdder();

    @Override
    public void accept(RecordView r) {
        int code = r.kindCode();
        int at = code >= 0 && code < DECISION.length ? DECISION[code] : -1;
        if (at >= 0 && r.u8(at) == TL_DENY && (r.u8(FLAGS) & TL_FLAG_POLICY) != 0) {
            denied.increment();
        }
    }

    /** Policy denials seen since the start. */
    long total() {
        return denied.sum();
    }
}
