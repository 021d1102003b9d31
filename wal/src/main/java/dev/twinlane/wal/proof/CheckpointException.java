package dev.twinlane.wal.proof;

/** A checkpoint or signed note that does not parse or verify; the message is one line. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }
}
