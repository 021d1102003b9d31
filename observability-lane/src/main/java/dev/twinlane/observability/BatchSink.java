package dev.twinlane.observability;

/** Where finished windows go: the observability log, exporters, tests. Called on the lane thread. */
public interface BatchSink {
    /** One window as a JSON object (UTF-8), valid for {@code length} bytes during the call. */
    void write(byte[] json, int length, long windowStartMillis) throws Exception;
}
