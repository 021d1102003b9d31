package dev.twinlane.detector;

/** A rules file that cannot be used; its message is one line naming file:line and why. */
public final class RulesFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public RulesFileException(String message) {
        super(message);
    }
}
