package dev.twinlane.policy;

/**
 * A policy the caller must not apply, with the reason as a value: the caller records each
 * refusal as a security record, so the reason must be machine-readable, not only the line.
 */
public final class Refusal extends PolicyException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        UNSIGNED, MALFORMED, UNKNOWN_KEY, TAMPERED, NOT_NEWER, UNSAFE_KEY_DIRECTORY, NO_PREVIOUS, BAD_TOKEN,
        EXPIRED_TOKEN
    }

    private final Reason reason;

    public Refusal(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
