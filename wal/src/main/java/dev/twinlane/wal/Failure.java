package dev.twinlane.wal;

/** Classes of verification failure, each with its exit code for `twinlane verify`. */
public enum Failure {
    /** A record's bytes changed (its MAC no longer verifies, nothing else explains it). */
    MODIFIED("modified", 3),
    /** A record is gone: the next record present has a higher seq. */
    MISSING("missing", 4),
    /** A record that is not part of the chain sits where the next record should be. */
    INSERTED("inserted", 5),
    /** The expected record exists, genuine, but further on. */
    REORDERED("reordered", 6),
    /** The log ends before a seal (kept elsewhere) says it reached. */
    TRUNCATED("truncated", 7),
    /** MACed with another key: a foreign root key, or another epoch's key than its position allows. */
    WRONG_KEY("wrong-key", 8),
    /** The files cannot be read as a log at all. */
    UNREADABLE("unreadable", 9);

    private final String label;
    private final int exitCode;

    Failure(String label, int exitCode) {
        this.label = label;
        this.exitCode = exitCode;
    }

    public String label() {
        return label;
    }

    public int exitCode() {
        return exitCode;
    }
}
