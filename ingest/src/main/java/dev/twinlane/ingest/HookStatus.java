package dev.twinlane.ingest;

/**
 * What twinlane has at one kernel hook: whether it can refuse the operation,
 * only record it, or nothing; through which program; and why.
 */
public record HookStatus(String hook, Capability capability, String via, String reason) {
    public enum Capability {
        /** A loaded program decides and the kernel obeys (in enforce mode). */
        ENFORCE,
        /** Records only: the operation cannot be refused here. */
        AUDIT,
        /** Nothing is attached. */
        NONE
    }

    public String describe() {
        String what = switch (capability) {
            case ENFORCE -> "enforce";
            case AUDIT -> "audit-only";
            case NONE -> "unavailable";
        };
        return hook + ": " + what + (via.isEmpty() ? "" : " via " + via) + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
