package dev.twinlane.router;

import dev.twinlane.records.RecordView;

/**
 * Where the router hands observability records, from one thread. It never
 * waits: what it cannot take it sheds and counts.
 */
public interface ObservabilityPublisher {
    /** Copies the record in, or sheds it (returns false); handed on at {@link #endBatch()}. */
    boolean offer(RecordView record);

    /** {@code count} records the kernel could not reserve on the observability ring. */
    void reportKernelLoss(long count);

    /** Lets time pass in the lane (closes windows) while no record arrives; called every few ms. */
    void tick();

    /** Hands on everything offered since the last call. */
    void endBatch();
}
