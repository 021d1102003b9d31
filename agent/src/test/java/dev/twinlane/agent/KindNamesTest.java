package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.proof.Kinds;

/** Kinds by name: tl_kind's (RecordKind, checked against twinlane_records.h by RecordLayoutDriftTest), the log's own. */
class KindNamesTest {
    @Test
    void kernelKindsLogKindsAndBatchesByNameOthersByNumber() {
        assertEquals("exec", KindNames.of(1));
        assertEquals("file_open", KindNames.of(2));
        assertEquals("connect", KindNames.of(3));
        assertEquals("tcp_state", KindNames.of(35));
        for (RecordKind k : RecordKind.values()) {
            assertEquals(k.name().toLowerCase(), KindNames.of(k.code()));
        }
        assertEquals("genesis", KindNames.of(Kinds.GENESIS));
        assertEquals("gap", KindNames.of(Kinds.GAP));
        assertEquals("seal", KindNames.of(Kinds.SEAL));
        assertEquals("new_log", KindNames.of(Kinds.NEW_LOG));
        assertEquals("batch", KindNames.of(ObservabilityLogSink.BATCH_KIND));
        assertEquals("kind-99", KindNames.of(99));
        assertEquals("kind-65399", KindNames.of(0xFF77));
    }

    @Test
    void runCountsRecordsByKindName() {
        KindCounts counts = new KindCounts();
        assertEquals("records by kind: none", counts.line());
        byte[] exec = {1, 0, 8, 0};
        byte[] fork = {32, 0, 8, 0};
        RecordView v = new RecordView();
        counts.accept(v.wrap(exec, 0, exec.length));
        counts.accept(v.wrap(exec, 0, exec.length));
        counts.accept(v.wrap(fork, 0, fork.length));
        assertEquals("records by kind: exec 2, fork 1", counts.line());
    }
}
