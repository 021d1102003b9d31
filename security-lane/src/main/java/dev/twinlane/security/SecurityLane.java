package dev.twinlane.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.records.LossSource;
import dev.twinlane.records.RecordView;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.router.SecurityPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The security lane: unbuffered and strictly ordered. Each record is copied
 * once into a preallocated entry of its own Disruptor ring and appended to
 * the sink by one thread, in publication order, with no batching in user
 * space. When the ring is full, {@link #publish} waits: the kernel ring then
 * fills and the kernel counts what it cannot reserve, which comes back as a
 * gap. Nothing is dropped here while the agent runs; a stop is bounded (see
 * {@link #beginStop()}), and what the lane could not append by then is
 * counted by source and span ({@link #losses()}) for the agent's loss journal.
 */
public final class SecurityLane implements SecurityPublisher, AutoCloseable {
    /** Most records copied in before they are handed over; the ring must hold more than twice this. */
    public static final int PUBLISH_EVERY = 64;
    /** The GAP ring id of records the lane read and could not append (LossSource.SECURITY_LANE). */
    public static final int LOSS_RING = LossSource.SECURITY_LANE;
    /** At a stop, how long a failing sink is still retried before what the lane holds is counted as lost. */
    public static final long STOP_GRACE_NS = 1_000_000_000L;
    /** At a stop, how long a healthy sink may take to append what the lane holds. */
    public static final long STOP_DRAIN_NS = 5_000_000_000L;
    private static final long FULL_SLEEP_NS = 50_000L;
    private static final long RETRY_NS = 100_000_000L;
    /** A failure that lasts is reported again at most this often. */
    private static final long REPORT_EVERY_NS = 60_000_000_000L;

    private final RingBuffer<SecurityEvent> ring;
    private final BatchEventProcessor<SecurityEvent> processor;
    private final Thread thread;
    private final Appender appender;
    private volatile int realtimePriority;
    private final CompletableFuture<String> priority = new CompletableFuture<>();
    /** nanoTime (odd, never 0) when the stop began; 0 while running. */
    private volatile long stopAt;
    /** Records copied in but not yet handed over (publisher thread only). */
    private int pending;
    private long pendingFrom;

    public SecurityLane(int ringSize, WaitStrategy wait, SecuritySink sink) {
        if (ringSize < 2 * PUBLISH_EVERY) {
            // Unpublished claims must never fill the ring, or the publisher would wait on itself.
            throw new IllegalArgumentException("security lane ring size must be at least " + 2 * PUBLISH_EVERY);
        }
        // One publishing thread (the router's security thread): order is the kernel's, and no CAS per record.
        this.ring = RingBuffer.createSingleProducer(SecurityEvent::new, ringSize, wait);
        this.appender = new Appender(sink);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), appender);
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(this::run, "security-lane");
    }

    /** Before {@link #start()}: run the lane's thread at SCHED_FIFO {@code priority} (0: normal). */
    public SecurityLane realtimePriority(int priority) {
        this.realtimePriority = priority;
        return this;
    }

    /** Completes, once the lane's thread runs, with null or why it could not get its real-time priority. */
    public CompletableFuture<String> priority() {
        return priority;
    }

    private void run() {
        priority.complete(ThreadPriority.realtime(realtimePriority));
        processor.run();
    }

    public SecurityLane start() {
        thread.start();
        return this;
    }

    /**
     * Copies the record into the lane; waits while the lane is full. Call from
     * one thread only. The record is handed over at the latest after
     * {@link #PUBLISH_EVERY} records or at {@link #endBatch()}, whichever comes
     * first: one release store per batch instead of one per record, and never
     * more delay than the reader's own batch.
     */
    @Override
    public void publish(RecordView record) {
        long seq = claim();
        ring.get(seq).record(record);
        if (pending++ == 0) {
            pendingFrom = seq;
        }
        if (pending == PUBLISH_EVERY) {
            endBatch();
        }
    }

    /**
     * The next entry, sleeping while the lane is full. Not the Disruptor's own wait in next(),
     * which parks for 1 ns in a loop: at real-time priority that never leaves the CPU, and a
     * lane thread sharing the CPU (a one-CPU cgroup, an affinity mask) would never run to free
     * an entry. A real sleep lets it; the kernel ring holds what arrives meanwhile.
     */
    private long claim() {
        if (!ring.hasAvailableCapacity(1)) {
            endBatch();   // what is pending must reach the lane, or nothing frees up
            while (!ring.hasAvailableCapacity(1)) {
                LockSupport.parkNanos(FULL_SLEEP_NS);
            }
        }
        return ring.next();
    }

    /** Hands over every record copied since the last call (the router calls it after each ring drain). */
    @Override
    public void endBatch() {
        if (pending > 0) {
            ring.publish(pendingFrom, pendingFrom + pending - 1);
            pending = 0;
        }
    }

    /**
     * A loss reported by the kernel: {@code count} records of ring {@code kernelRing}
     * between two boot times. Same thread as {@link #publish}.
     */
    @Override
    public void publishGap(int kernelRing, long count, long fromNs, long toNs) {
        endBatch();
        long seq = claim();
        ring.get(seq).gap(kernelRing, count, fromNs, toNs);
        ring.publish(seq);
    }

    /**
     * Lets time pass in the lane while no record arrives (its log's timed seal). Skipped while
     * records are pending or the lane is full: appends seal by themselves. Same thread as
     * {@link #publish}.
     */
    @Override
    public void tick() {
        if (pending > 0 || !ring.hasAvailableCapacity(1)) {
            return;
        }
        long seq = ring.next();
        ring.get(seq).tick();
        ring.publish(seq);
    }

    public long appended() {
        return appender.appended.get();
    }

    public long failures() {
        return appender.failures.get();
    }

    /** Entries published and not yet appended (or counted as lost). */
    public long backlog() {
        return ring.getCursor() - processor.getSequence().get();
    }

    /**
     * Why appends fail now, or null while they succeed: the sink's message and since when
     * ({@link System#nanoTime()}).
     */
    public Failing failing() {
        return appender.failing;
    }

    /** Appends are failing: the sink's last message, and since when (nanoTime). */
    public record Failing(String problem, long sinceNanos) {
    }

    /**
     * What the lane could not append before it stopped, by GAP ring: records read from the kernel
     * (ring {@link #LOSS_RING}) and kernel drop counts (their own ring) whose GAP records it could
     * not write. Complete once {@link #close()} returned; empty when everything was appended.
     */
    public java.util.List<Loss> losses() {
        return appender.losses.list();
    }

    /** Records (not gap events) the lane read and could not append: the count under {@link #LOSS_RING}. */
    public long lost() {
        return appender.losses.count(LOSS_RING);
    }

    public void bindMetrics(MeterRegistry registry) {
        FunctionCounter.builder("twinlane.lane.records", this, SecurityLane::appended)
                .tag("lane", "security").description("records appended to the security log").register(registry);
        FunctionCounter.builder("twinlane.lane.failures", this, SecurityLane::failures)
                .tag("lane", "security").description("append attempts that failed and were retried").register(registry);
        Gauge.builder("twinlane.lane.backlog.records", this, SecurityLane::backlog).tag("lane", "security")
                .description("records handed to the lane, not yet appended").register(registry);
    }

    /**
     * The stop has begun (the programs are detached, the router drains what is left): from now on
     * the lane's time is bounded. While the sink fails it gets {@link #STOP_GRACE_NS} more, a
     * healthy but slow sink {@link #STOP_DRAIN_NS}; then whatever the lane still holds or is
     * still handed is counted as lost (see {@link #losses()}) instead of appended, so that the
     * publisher never waits on a log that cannot take anything.
     */
    public void beginStop() {
        if (stopAt == 0) {
            stopAt = System.nanoTime() | 1;
            LockSupport.unpark(thread);
        }
    }

    /** Stops after every published event has been appended or, past the stop's bound, counted as lost. */
    @Override
    public void close() throws InterruptedException {
        beginStop();
        endBatch();   // the publisher has stopped: what it left claimed is handed over here
        long deadline = System.nanoTime() + STOP_DRAIN_NS + 2_000_000_000L;
        while (backlog() > 0 && thread.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        processor.halt();
        thread.join(2_000);
        if (thread.isAlive()) {
            System.err.println("twinlane security lane: the lane's thread is stuck in an append; "
                    + backlog() + " events not accounted for");
        }
    }

    /** Counts by GAP ring with the span of boot times; written by the lane's thread only. */
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

    /**
     * Appends in order. A failing sink (full disk, I/O error) is retried with the same event
     * every 100 ms until it succeeds: the lane then backs up into the kernel ring, whose drops
     * come back as gaps once appends work. Order is never broken and nothing is skipped while
     * the agent runs. Only a stop bounds the wait (see {@link #beginStop()}): what is left is
     * counted, by source and span, for the caller to record (the agent's loss journal).
     */
    private final class Appender implements EventHandler<SecurityEvent> {
        private final SecuritySink sink;
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong appended = new AtomicLong();
        private final Losses losses = new Losses();
        private volatile Failing failing;
        private long lastReport;
        private boolean abandoned;

        Appender(SecuritySink sink) {
            this.sink = sink;
        }

        @Override
        public void onEvent(SecurityEvent event, long sequence, boolean endOfBatch) {
            if (event.type() == SecurityEvent.Type.TICK) {
                tick();
                return;
            }
            if (abandoned || stopAt != 0 && System.nanoTime() - stopAt >= STOP_DRAIN_NS) {
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
                    long stop = stopAt;
                    if (stop != 0 && System.nanoTime() - stop >= STOP_GRACE_NS) {
                        abandon(event, e);
                        return;
                    }
                    LockSupport.parkNanos(RETRY_NS);  // beginStop() unparks
                }
            }
            if (failing != null) {
                System.err.printf("twinlane security lane: appends resumed after %.1f s; what the kernel dropped"
                        + " meanwhile follows as a GAP record%n", (System.nanoTime() - failing.sinceNanos()) / 1e9);
                failing = null;
            }
            appended.lazySet(appended.get() + 1);  // single writer: an ordered store is enough
        }

        /** Not while appends fail (the retried append comes first) or after the stop gave up. */
        private void tick() {
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
                failing = new Failing(problem, now);
                lastReport = now;
                System.err.println("twinlane security lane: the security log cannot append (" + problem + "); the lane"
                        + " holds " + backlog() + " events and retries every 100 ms, the kernel counts what its full ring"
                        + " drops, and every loss becomes a GAP record once appends work");
            } else {
                if (!problem.equals(failing.problem())) {
                    failing = new Failing(problem, failing.sinceNanos());
                }
                if (now - lastReport >= REPORT_EVERY_NS) {
                    lastReport = now;
                    System.err.printf("twinlane security lane: the security log still cannot append after %d s (%s);"
                            + " the lane holds %d events%n", (now - failing.sinceNanos()) / 1_000_000_000L, problem, backlog());
                }
            }
        }

        /** Past the stop's bound: the event is counted by source, not appended. */
        private void abandon(SecurityEvent e, Exception why) {
            if (!abandoned) {
                abandoned = true;
                if (why == null && failing == null) {
                    System.err.println("twinlane security lane: the stop's " + STOP_DRAIN_NS / 1_000_000_000L
                            + " s to append what the lane holds have passed; the rest is counted as lost");
                }
            }
            if (e.type() == SecurityEvent.Type.GAP) {
                losses.add(e.gapRing(), e.gapCount(), e.gapFromNs(), e.gapToNs());
            } else {
                long t = e.ktimeNs();
                losses.add(LOSS_RING, 1, t, t);
            }
        }
    }
}
