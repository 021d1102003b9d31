package dev.twinlane.wal;

/**
 * The record was not appended because the file system is full or failed. Nothing of it
 * reached the log, the chain is intact, and a later append succeeds once space returns.
 */
public final class WalFullException extends WalException {
    private static final long serialVersionUID = 1L;

    public WalFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
