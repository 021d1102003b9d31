package dev.twinlane.router;

import dev.twinlane.records.RecordView;

/**
 * Where the router hands security records: in the kernel's order, from one
 * thread. An implementation may wait when it is full (the kernel ring then
 * fills and the kernel counts what it cannot reserve), never drop.
 */
public interface SecurityPublisher {
    /** Copies the record in; it may be handed on only at {@link #endBatch()}. */
    void publish(RecordView record);

    /** {@code count} records of kernel ring {@code kernelRing} were lost between two boot times. */
    void publishGap(int kernelRing, long count, long fromBootNs, long toBootNs);

    /** Hands on everything published since the last call: once per drain, not per record. */
    void endBatch();

    /** Lets time pass in the lane while no record arrives (its log's timed seal); called every few ms. */
    void tick();
}
