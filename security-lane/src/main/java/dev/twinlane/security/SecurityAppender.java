package dev.twinlane.security;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Appends the lane's events in order, on whichever single thread runs the lane. A failing sink
 * (full disk, I/O error) is retried with the same event every 100 ms until it succeeds: the lane
 * then backs up into the kernel ring, whose drops come back as gaps once appends work. Order is
 * never broken and nothing is skipped while the agent runs. Only a stop bounds the wait (see
 * {@link #beginStop()}): what is left is counted, by source and span, for the caller to record
 * (the agent's loss journal).
 */
final class SecurityAppender {
    private static final long RETRY_NS = 100_000_000L;
    /** A failure that lasts is reported again at most this often. */
    private static final long REPORT_EVERY_NS = 60_000_000_000L;

    private final SecuritySink sink;
    private final LongSupplier backlog;
    final AtomicLong failures = new AtomicLong();
    final AtomicLong appended = new AtomicLong();
    final Losses losses = new Losses();
    volatile SecurityLane.Failing failing;
    /** nanoTime (odd, never 0) when the stop began; 0 while running. */
    private volatile long stopAt;
    /** The thread waiting between retries, for beginStop() to wake. */
    private volatile Thread retrying;
    private long lastReport;
    private boolean abandoned;

    /** {@code backlog}: events the lane holds beyond this one, for the failure messages. */
    SecurityAppender(SecuritySink sink, LongSupplier backlog) {
        this.sink = sink;
        this.backlog = backlog;
    }

    void append(SecurityEvent event) {
        if (event.type() == SecurityEvent.Type.TICK) {
            tick();
            return;
        }
        long stop = stopAt;
        if (abandoned || stop != 0 && System.nanoTime() - stop >= SecurityLane.STOP_DRAIN_NS) {
            abandon(event, null);
            return;
        }
        while (true) {
            try {
                sink.append(event);
                break;
            } catch (Exception e) {
                failures.incrementAndGet();
                failed(e);
                stop = stopAt;
                if (stop != 0 && System.nanoTime() - stop >= SecurityLane.STOP_GRACE_NS) {
                    abandon(event, e);
                    return;
                }
                retrying = Thread.currentThread();
                LockSupport.parkNanos(RETRY_NS);  // beginStop() unparks
                retrying = null;
            }
        }
        if (failing != null) {
            System.err.printf("twinlane security lane: appends resumed after %.1f s; what the kernel dropped"
                    + " meanwhile follows as a GAP record%n", (System.nanoTime() - failing.sinceNanos()) / 1e9);
            failing = null;
        }
        appended.lazySet(appended.get() + 1);  // single writer: an ordered store is enough
    }

    /** Starts the stop's bound (see SecurityLane#beginStop); any thread. */
    void beginStop() {
        if (stopAt == 0) {
            stopAt = System.nanoTime() | 1;
            Thread t = retrying;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Not while appends fail (the retried append comes first) or after the stop gave up. */
    void tick() {
        if (failing == null && !abandoned) {
            try {
                sink.tick();
            } catch (Exception e) {
                // the sink reported it; the next tick or append tries again
            }
        }
    }

    /** One line when appends start failing, then at most one per {@link #REPORT_EVERY_NS}. */
    private void failed(Exception e) {
        long now = System.nanoTime();
        String problem = String.valueOf(e.getMessage());
        if (failing == null) {
            failing = new SecurityLane.Failing(problem, now);
            lastReport = now;
            System.err.println("twinlane security lane: the security log cannot append (" + problem + "); the lane"
                    + " holds " + backlog.getAsLong() + " events and retries every 100 ms, the kernel counts what its"
                    + " full ring drops, and every loss becomes a GAP record once appends work");
        } else {
            if (!problem.equals(failing.problem())) {
                failing = new SecurityLane.Failing(problem, failing.sinceNanos());
            }
            if (now - lastReport >= REPORT_EVERY_NS) {
                lastReport = now;
                System.err.printf("twinlane security lane: the security log still cannot append after %d s (%s);"
                        + " the lane holds %d events%n", (now - failing.sinceNanos()) / 1_000_000_000L, problem,
                        backlog.getAsLong());
            }
        }
    }

    /** Past the stop's bound: the event is counted by source, not appended. */
    private void abandon(SecurityEvent e, Exception why) {
        if (!abandoned) {
            abandoned = true;
            if (why == null && failing == null) {
                System.err.println("twinlane security lane: the stop's " + SecurityLane.STOP_DRAIN_NS / 1_000_000_000L
                        + " s to append what the lane holds have passed; the rest is counted as lost");
            }
        }
        if (e.type() == SecurityEvent.Type.GAP) {
            losses.add(e.gapRing(), e.gapCount(), e.gapFromNs(), e.gapToNs());
        } else {
            long t = e.ktimeNs();
            losses.add(SecurityLane.LOSS_RING, 1, t, t);
        }
    }

    /** Counts by GAP ring with the span of boot times; written by the appending thread only. */
    static final class Losses {
        private final long[] counts = new long[8];
        private final long[] from = new long[8];
        private final long[] to = new long[8];
        private volatile int version;

        void add(int ring, long count, long fromNs, long toNs) {
            int r = Math.max(0, Math.min(ring, counts.length - 1));
            if (fromNs > 0 && (from[r] == 0 || fromNs < from[r])) {
                from[r] = fromNs;
            }
            if (toNs > to[r]) {
                to[r] = toNs;
            }
            counts[r] += count;
            version++;  // publishes the fields to readers that read version first
        }

        long count(int ring) {
            int v = version;
            return v == 0 ? 0 : counts[ring];
        }

        java.util.List<Loss> list() {
            java.util.List<Loss> out = new java.util.ArrayList<>();
            if (version == 0) {
                return out;
            }
            for (int r = 0; r < counts.length; r++) {
                if (counts[r] > 0) {
                    out.add(new Loss(r, counts[r], from[r], Math.max(to[r], from[r])));
                }
            }
            return out;
        }
    }
}
