package dev.twinlane.router;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.records.Ring;

/**
 * Turns the kernel's security-ring drop count into gap records: each rise of
 * the count becomes one gap whose span runs from the last read that showed no
 * new drop to now. The count starts at zero with the maps, so no drop is
 * assumed away. Used by the one thread that publishes security records.
 */
final class GapAccounting {
    private final KernelDrops drops;
    private long reported;
    private long sinceBootNs;

    GapAccounting(KernelDrops drops, long startedBootNs) {
        this.drops = drops;
        this.sinceBootNs = startedBootNs;
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
        }
    }

    long reported() {
        return reported;
    }
}
