package dev.twinlane.policy;

/**
 * A policy, bundle, key or state that cannot be used, in one line that names where and why
 * (a line and column for a policy file): the caller prints it as it is and applies nothing.
 */
public class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
