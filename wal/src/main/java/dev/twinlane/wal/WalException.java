package dev.twinlane.wal;

/** A log problem described in one line, fit to print as is (no stack trace needed). */
public class WalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WalException(String message) {
        super(message);
    }

    public WalException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The record was not appended because the file system is full or failed. Nothing of it
     * reached the log, the chain is intact, and a later append succeeds once space returns.
     */
    public static final class Full extends WalException {
        private static final long serialVersionUID = 1L;

        public Full(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
