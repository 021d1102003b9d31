package dev.twinlane.ingest;

import dev.twinlane.records.RecordView;

/** Receives records from a {@link RingBufferReader}, on the reader's thread. */
@FunctionalInterface
public interface RecordHandler {
    /** A well-formed record; the view is valid only during the call. */
    void onRecord(RecordView record);

    /**
     * A record that failed {@link RecordView#check()}; the reader has counted
     * it and moves on. The default reports it as one line on stderr.
     */
    default void onMalformed(RecordView record, int problem) {
        System.err.println("twinlane ingest: " + record.describeProblem(problem));
    }
}
