package dev.twinlane.cli;

/** A bad command line or setting found while a command runs: one line, exit code 2 (see {@link Cli}). */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
