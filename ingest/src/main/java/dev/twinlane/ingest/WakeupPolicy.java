package dev.twinlane.ingest;

import dev.twinlane.records.Ring;

/**
 * When a ring's reader runs. A kernel wake-up costs the traced thread an
 * irq_work and a self-IPI inside bpf_ringbuf_submit (microseconds, against
 * tens of nanoseconds for the record itself), so by default the kernel wakes
 * the reader only when the unread bytes cross a watermark, and the reader
 * drains on its own timer every {@code maxDelayNanos}: a record waits at most
 * that long (plus one drain) before it is handed on, and the workload pays one
 * wake-up per watermark's worth of records at most.
 *
 * {@code maxDelayNanos} 0 is the kernel's default instead: the reader is woken
 * for every record it waits for, the lowest latency at the highest cost.
 *
 * @param maxDelayNanos longest sleep of the reader while records may wait; 0: woken per record
 * @param watermarkFraction wake the reader early once this fraction of the ring is unread (0 &lt; f &lt;= 1)
 */
public record WakeupPolicy(long maxDelayNanos, double watermarkFraction) {
    public static final WakeupPolicy SECURITY_DEFAULT = new WakeupPolicy(1_000_000L, 0.25);
    public static final WakeupPolicy OBSERVABILITY_DEFAULT = new WakeupPolicy(50_000_000L, 0.5);
    public static final WakeupPolicy PER_RECORD = new WakeupPolicy(0, 1);

    public WakeupPolicy {
        if (maxDelayNanos < 0 || maxDelayNanos > 1_000_000_000L) {
            throw new IllegalArgumentException("a reader's max delay must be 0 (woken per record) to 1 s, not "
                    + maxDelayNanos + " ns");
        }
        if (!(watermarkFraction > 0 && watermarkFraction <= 1)) {
            throw new IllegalArgumentException("the wake-up watermark is a fraction of the ring in (0, 1], not "
                    + watermarkFraction);
        }
    }

    public boolean perRecord() {
        return maxDelayNanos == 0;
    }

    /** One line for `twinlane status`: when this ring's reader runs, and what that costs. */
    public String describe(Ring ring, int ringBytes) {
        if (perRecord()) {
            return ring.label() + " ring: the kernel wakes the reader for every record (max_delay 0): lowest latency, "
                    + "an irq_work and self-IPI on the traced CPU per record";
        }
        return ring.label() + " ring: read every " + (maxDelayNanos() % 1_000_000 == 0 ? maxDelayNanos() / 1_000_000 + " ms" : maxDelayNanos() / 1000 + " us")
                + " (max_delay) or once " + watermarkBytes(ringBytes) / 1024 + " KiB are unread; no kernel wake-up per record";
    }

    /** The tl_config watermark for a ring of {@code ringBytes}: 0 means the kernel's per-record wake-up. */
    int watermarkBytes(int ringBytes) {
        return perRecord() ? 0 : (int) Math.max(8, (long) (ringBytes * watermarkFraction));
    }
}
