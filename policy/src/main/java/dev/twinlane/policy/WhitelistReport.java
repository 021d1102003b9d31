package dev.twinlane.policy;

import java.util.List;

/**
 * The outcome of reading a whitelist: the entries in force, and every line ignored with the
 * reason. The caller records each rejected line (seed 003: ignored, reported and recorded),
 * so none is dropped silently.
 */
public record WhitelistReport(List<WhitelistEntry> accepted, List<Rejected> rejected) {
    public enum Reason { MALFORMED, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID }

    /** A line not taken: its number, its text and why, in one line. */
    public record Rejected(int line, String text, Reason reason, String message) {
    }

    public WhitelistReport {
        accepted = List.copyOf(accepted);
        rejected = List.copyOf(rejected);
    }
}
