package dev.twinlane.ingest;

/** A failure of the kernel side, with a message fit for one log line. */
public final class IngestException extends RuntimeException {
    public IngestException(String message) {
        super(message);
    }
}
