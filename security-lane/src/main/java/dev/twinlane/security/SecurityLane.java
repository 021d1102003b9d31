package dev.twinlane.security;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.records.LossSource;
import dev.twinlane.records.RecordView;
import dev.twinlane.router.SecurityPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The security lane: unbuffered and strictly ordered. Each record is copied once into a
 * preallocated event and appended to the sink by one thread, in publication order, with no
 * batching in user space. Two ways to run it:
 * <ul>
 * <li>{@link #inline} (the agent's default): the publishing thread, the router's security thread,
 * appends each record itself. The kernel ring is then the lane's only buffer, and the path from
 * kernel to log wakes one thread per drain instead of two (issue 12: a hand-off per drain cost a
 * second wake-up every max_delay).</li>
 * <li>With its own thread and Disruptor ring ({@link #SecurityLane(int, WaitStrategy, SecuritySink)}):
 * a slow append then holds the lane, not the reader of the kernel ring.</li>
 * </ul>
 * Either way, when appends cannot keep up the kernel ring fills and the kernel counts what it
 * cannot reserve, which comes back as a gap. Nothing is dropped here while the agent runs; a
 * stop is bounded (see {@link #beginStop()}), and what the lane could not append by then is
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

    /** null when inline. */
    private final RingBuffer<SecurityEvent> ring;
    private final BatchEventProcessor<SecurityEvent> processor;
    private final Thread thread;
    /** The one event an inline lane reuses. */
    private final SecurityEvent event = new SecurityEvent();
    private final SecurityAppender appender;
    private volatile int realtimePriority;
    private volatile int nice;
    private final CompletableFuture<String> priority = new CompletableFuture<>();
    /** Records copied in but not yet handed over (publisher thread only). */
    private int pending;
    private long pendingFrom;

    /** A lane run by the publishing thread itself (see the class comment). */
    public static SecurityLane inline(SecuritySink sink) {
        return new SecurityLane(sink);
    }

    private SecurityLane(SecuritySink sink) {
        this.ring = null;
        this.processor = null;
        this.thread = null;
        this.appender = new SecurityAppender(sink, () -> 0);
        priority.complete(null);  // no thread of its own: the publisher's priority is the lane's
    }

    public SecurityLane(int ringSize, WaitStrategy wait, SecuritySink sink) {
        if (ringSize < 2 * PUBLISH_EVERY) {
            // Unpublished claims must never fill the ring, or the publisher would wait on itself.
            throw new IllegalArgumentException("security lane ring size must be at least " + 2 * PUBLISH_EVERY);
        }
        // One publishing thread (the router's security thread): order is the kernel's, and no CAS per record.
        this.ring = RingBuffer.createSingleProducer(SecurityEvent::new, ringSize, wait);
        this.appender = new SecurityAppender(sink, this::backlog);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(),
                (e, seq, endOfBatch) -> appender.append(e));
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(this::run, "security-lane");
    }

    /** Before {@link #start()}: run the lane's thread at SCHED_FIFO {@code priority} (0: normal; inline: no thread). */
    public SecurityLane realtimePriority(int priority) {
        this.realtimePriority = priority;
        return this;
    }

    /** Before {@link #start()}: the lane thread's nice value when it is not real-time (realtimePriority 0). */
    public SecurityLane nice(int value) {
        this.nice = value;
        return this;
    }

    /** Completes, once the lane's thread runs, with null or why it could not get its real-time priority. */
    public CompletableFuture<String> priority() {
        return priority;
    }

    private void run() {
        priority.complete(ThreadPriority.apply(realtimePriority, nice));
        processor.run();
    }

    public SecurityLane start() {
        if (thread != null) {
            thread.start();
        }
        return this;
    }

    /**
     * Copies the record into the lane; waits while the lane is full. Call from one thread only.
     * Inline, the record is appended before this returns. Otherwise it is handed over at the
     * latest after {@link #PUBLISH_EVERY} records or at {@link #endBatch()}, whichever comes
     * first: one release store per batch instead of one per record, and never more delay than
     * the reader's own batch.
     */
    @Override
    public void publish(RecordView record) {
        if (ring == null) {
            event.record(record);
            appender.append(event);
            return;
        }
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
        if (ring == null) {
            event.gap(kernelRing, count, fromNs, toNs);
            appender.append(event);
            return;
        }
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
        if (ring == null) {
            appender.tick();
            return;
        }
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

    /** Entries published and not yet appended (or counted as lost); inline: always 0. */
    public long backlog() {
        return ring == null ? 0 : ring.getCursor() - processor.getSequence().get();
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
    public List<Loss> losses() {
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
        appender.beginStop();
    }

    /** Stops after every published event has been appended or, past the stop's bound, counted as lost. */
    @Override
    public void close() throws InterruptedException {
        beginStop();
        if (ring == null) {
            return;   // the publisher appended (or counted) everything before it returned
        }
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
}
