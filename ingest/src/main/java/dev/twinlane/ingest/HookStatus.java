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
        /** Nothing is attached: the kernel refused it, or nothing is packaged for it. */
        NONE,
        /** Not attached because a setting says so (its reason names the setting). */
        OFF
    }

    public String describe() {
        String what = switch (capability) {
            case ENFORCE -> "enforce";
            case AUDIT -> "audit-only";
            case NONE -> "unavailable";
            case OFF -> "off";
        };
        return hook + ": " + what + (via.isEmpty() ? "" : " via " + via) + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
