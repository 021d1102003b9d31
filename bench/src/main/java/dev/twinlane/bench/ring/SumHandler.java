package dev.twinlane.bench.ring;

import dev.twinlane.ingest.RecordHandler;
import dev.twinlane.records.RecordView;

/**
 * The drain benchmark's handler, the twin of ring_drain.c's callback: reads
 * kind and seq of each tl_loadgen record and sums them, so the reads cannot be
 * optimised away. Allocates nothing. Final and the only handler class the
 * benchmarks use, so the reader's call site stays monomorphic.
 */
public final class SumHandler implements RecordHandler {
    /** Offset of tl_loadgen.seq (kind u16, size u16, cpu u32, seq u64). */
    static final int SEQ_OFFSET = 8;

    public long records;
    public long sum;

    @Override
    public void onRecord(RecordView r) {
        sum += r.kindCode() + r.s64(SEQ_OFFSET);
        records++;
    }

    @Override
    public void onMalformed(RecordView r, int problem) {
        throw new IllegalStateException(r.describeProblem(problem));
    }
}
