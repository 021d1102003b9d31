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
}
