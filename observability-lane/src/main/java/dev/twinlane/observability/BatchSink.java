package dev.twinlane.observability;

/** Where finished windows go: the observability log, exporters, tests. Called on the lane thread. */
public interface BatchSink {
    /** One window as a JSON object (UTF-8), valid for {@code length} bytes during the call. */
    void write(byte[] json, int length, long windowStartMillis) throws Exception;

    /**
     * A clock tick of the lane (every few ms while records are few): the log's timed seal is
     * written here, on the lane's thread, the log's only writer. A failure is the sink's to report.
     */
    default void tick() throws Exception {
    }
}
