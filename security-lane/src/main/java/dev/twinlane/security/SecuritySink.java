package dev.twinlane.security;

/**
 * Where the security lane puts each event, one at a time and at once: the
 * security WAL in production. Called on the lane's single handler thread.
 */
public interface SecuritySink {
    /** Appends one event; returns only when it is in the log (not necessarily synced). */
    void append(SecurityEvent event) throws Exception;
}
