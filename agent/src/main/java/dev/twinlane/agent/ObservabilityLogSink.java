package dev.twinlane.agent;

import dev.twinlane.observability.BatchSink;
import dev.twinlane.wal.ChainAppender;

/** The observability lane's boundary with its log: one chained record per window batch. */
final class ObservabilityLogSink implements BatchSink {
    /** WAL kind of an observability batch (kernel record kinds keep their tl_kind codes). */
    static final int BATCH_KIND = 0x100;
    private final ChainAppender log;

    ObservabilityLogSink(ChainAppender log) {
        this.log = log;
    }

    @Override
    public void write(byte[] json, int length, long windowStartMillis) {
        log.append(BATCH_KIND, json, 0, length);
    }

    /** The log's timed seal between batches (this lane's thread is the log's only writer). */
    @Override
    public void tick() {
        log.sealIfDue();
    }
}
