package dev.twinlane.router;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.LoggedDrops;
import dev.twinlane.records.Ring;

/**
 * Turns the kernel's security-ring drop count into gap records: each rise of the count
 * becomes one gap whose span runs from the last read that showed no new drop to now. It
 * starts from what the security log already holds ({@link LoggedDrops}, pinned with the
 * counters): a first gap then covers the drops made while no agent ran, from the last
 * agent's last check, and no drop is assumed away or logged twice. Used by the one thread
 * that publishes security records.
 */
final class GapAccounting {
    private final KernelDrops drops;
    private final LoggedDrops logged;
    private long reported;
    private long sinceBootNs;

    GapAccounting(KernelDrops drops, LoggedDrops logged) {
        this.drops = drops;
        this.logged = logged;
        this.reported = logged.count(Ring.SECURITY);
        this.sinceBootNs = logged.sinceBootNs(Ring.SECURITY);
    }

    /** Publishes a gap if the kernel dropped security records since the last call. */
    void check(SecurityPublisher security) {
        long readAt = drops.readAtBootNs();   // before the count: see KernelDrops.readAtBootNs
        long now = drops.count(Ring.SECURITY);
        if (now == reported) {
            sinceBootNs = Math.max(sinceBootNs, readAt);
        } else if (now > reported) {
            long nowBoot = KernelClock.bootNanos();
            security.publishGap(Ring.SECURITY.id(), now - reported, sinceBootNs, nowBoot);
            reported = now;
            sinceBootNs = readAt;   // drops not yet in `now` came after its read, so after readAt
            logged.logged(Ring.SECURITY, reported, sinceBootNs);
        }
    }

    /** The last check of this agent: the next one starts after it. */
    void close() {
        logged.logged(Ring.SECURITY, reported, sinceBootNs);
    }

    long reported() {
        return reported;
    }
}
