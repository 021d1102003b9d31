package dev.twinlane.wal;

/**
 * Health of a log: whether appends and syncs currently succeed, the last problem seen, and
 * the highest appended and durable sequence numbers.
 */
public record WalStatus(boolean healthy, String problem, long appendedSeq, long durableSeq) {
    @Override
    public String toString() {
        return (healthy ? "healthy" : "UNHEALTHY: " + problem) + ", appended " + appendedSeq
                + ", durable " + durableSeq;
    }
}
