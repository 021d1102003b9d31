package dev.twinlane.agent;

import java.time.Instant;

/** What the policy tamper check has found since the start, for `twinlane status` (guarded by PolicyPlane). */
final class TamperLog {
    private long checks;
    private long lastCheckNanos;
    private long found;
    private String last;
    private Instant lastAt;
    private boolean lastRestored = true;
    private String failure;

    void checked(long tookNanos) {
        checks++;
        lastCheckNanos = tookNanos;
        failure = null;
    }

    void found(String line, boolean restored) {
        found++;
        last = line;
        lastAt = Instant.now();
        lastRestored = restored;
    }

    void failed(String why) {
        failure = why;
    }

    String describe() {
        String s = checks + " checks (last took " + String.format("%.1f", lastCheckNanos / 1e6) + " ms), ";
        return found == 0 ? s + "no tampering found" : s + found + " tampering(s) found, last at " + lastAt + ": " + last;
    }

    /** Tampering the check could not undo, or a check that failed: what status reports as a problem. */
    String problem() {
        if (failure != null) {
            return failure;
        }
        return lastRestored ? null : "the policy maps were tampered with and could not be restored (" + last + ")";
    }
}
