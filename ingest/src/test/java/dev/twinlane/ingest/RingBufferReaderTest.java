package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/** The reader against a real kernel ring buffer, fed by loadgen.bpf.o through BPF_PROG_TEST_RUN. */
class RingBufferReaderTest {
    private LoadGenerator gen;
    private RingBufferReader reader;

    @BeforeEach
    void setUp() {
        Root.require();
        gen = LoadGenerator.open(16 * 1024);
        reader = gen.reader();
    }

    @AfterEach
    void tearDown() {
        if (reader != null) {
            reader.close();
        }
        if (gen != null) {
            gen.close();
        }
    }

    @Test
    void deliversEveryRecordInOrderAcrossManyWrapArounds() {
        List<Long> seqs = new ArrayList<>();
        RecordHandler h = r -> seqs.add(r.s64(8));
        long expected = 0;
        // 16 KiB ring, 72 bytes per record with its header: 3 records per round leave the
        // positions at odd offsets, so records straddle the end of the data area.
        for (int round = 0; round < 2000; round++) {
            long n = gen.emit(3);
            assertEquals(3, n);
            assertEquals(3, reader.drain(h, Integer.MAX_VALUE));
            expected += 3;
        }
        assertEquals(expected, seqs.size());
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i % 3, seqs.get(i), "record " + i);
        }
        assertEquals(0, reader.backlog());
    }

    @Test
    void skipsMalformedRecordsWithAReasonAndCarriesOn() {
        List<String> seen = new ArrayList<>();
        RecordHandler h = new RecordHandler() {
            @Override
            public void onRecord(RecordView r) {
                seen.add("ok:" + r.kind().label());
            }

            @Override
            public void onMalformed(RecordView r, int problem) {
                seen.add(RecordView.problem(problem));
            }
        };
        gen.emit(2);
        gen.emitRaw(1, 99, 64);                          // unknown kind
        gen.emitRaw(1, RecordKind.EXEC.code(), 64);      // truncated exec
        gen.emitRaw(1, RecordKind.LOADGEN.code(), 72);   // oversized
        gen.emitRaw(1, RecordKind.FORK.code(), 3);       // shorter than kind + size
        gen.emit(2);
        reader.drain(h, Integer.MAX_VALUE);
        assertEquals(List.of("ok:loadgen", "ok:loadgen", "unknown kind", "truncated", "oversized", "truncated",
                "ok:loadgen", "ok:loadgen"), seen);
        assertEquals(4, reader.records());
        assertEquals(4, reader.malformed());
    }

    @Test
    void aFullRingRefusesTheRestAndTheReaderKeepsWhatFit() {
        long emitted = gen.emit(1000);
        assertTrue(emitted > 0 && emitted < 1000, "a 16 KiB ring holds fewer than 1000 records: " + emitted);
        int[] count = {0};
        reader.drain(r -> count[0]++, Integer.MAX_VALUE);
        assertEquals(emitted, count[0]);
        assertEquals(emitted, gen.emit(emitted), "space is free again after the drain");
    }

    @Test
    void pollReturnsNothingFromAnEmptyRingAfterItsTimeout() {
        assertEquals(0, reader.poll(r -> { }, 20, 100));
        gen.emit(5);
        assertEquals(5, reader.poll(r -> { }, 1000, 100));
    }
}
