package dev.twinlane.security;

/**
 * Where the security lane puts each event, one at a time and at once: the
 * security WAL in production. Called on the lane's single handler thread.
 */
public interface SecuritySink {
    /** Appends one event; returns only when it is in the log (not necessarily synced). */
    void append(SecurityEvent event) throws Exception;

    /**
     * Time passes with nothing to append (the router ticks the lane every few ms while idle):
     * the log's timed seal is written here, on the lane's thread, the log's only writer. A
     * failure is the sink's to report; the next tick tries again.
     */
    default void tick() throws Exception {
    }
}
