package dev.twinlane.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.ingest.RecordView;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.router.SecurityPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The security lane: unbuffered and strictly ordered. Each record is copied
 * once into a preallocated entry of its own Disruptor ring and appended to
 * the sink by one thread, in publication order, with no batching in user
 * space. When the ring is full, {@link #publish} waits: the kernel ring then
 * fills and the kernel counts what it cannot reserve, which comes back as a
 * gap — nothing is ever dropped here.
 */
public final class SecurityLane implements SecurityPublisher, AutoCloseable {
    /** Most records copied in before they are handed over; the ring must hold more than twice this. */
    public static final int PUBLISH_EVERY = 64;
    private static final long FULL_SLEEP_NS = 50_000L;

    private final RingBuffer<SecurityEvent> ring;
    private final BatchEventProcessor<SecurityEvent> processor;
    private final Thread thread;
    private final Appender appender;
    private volatile int realtimePriority;
    private final CompletableFuture<String> priority = new CompletableFuture<>();
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

    public long appended() {
        return appender.appended.get();
    }

    public long failures() {
        return appender.failures.get();
    }

    /** Entries published and not yet appended. */
    public long backlog() {
        return ring.getCursor() - processor.getSequence().get();
    }

    public void bindMetrics(MeterRegistry registry) {
        FunctionCounter.builder("twinlane.lane.records", this, SecurityLane::appended)
                .tag("lane", "security").description("records appended to the security log").register(registry);
        FunctionCounter.builder("twinlane.lane.failures", this, SecurityLane::failures)
                .tag("lane", "security").description("append attempts that failed and were retried").register(registry);
    }

    /** Stops after every published event has been appended. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (backlog() > 0 && thread.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        appender.closing = true;
        processor.halt();
        thread.join();
    }

    /**
     * Appends in order. A failing sink (full disk, I/O error) is retried with
     * the same event until it succeeds or the lane is closed: the lane then
     * backs up into the kernel ring, whose drops come back as gaps. Order is
     * never broken and nothing is skipped.
     */
    private static final class Appender implements EventHandler<SecurityEvent> {
        private final SecuritySink sink;
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong appended = new AtomicLong();
        private volatile boolean closing;

        Appender(SecuritySink sink) {
            this.sink = sink;
        }

        @Override
        public void onEvent(SecurityEvent event, long sequence, boolean endOfBatch) throws InterruptedException {
            boolean failing = false;
            while (true) {
                try {
                    sink.append(event);
                    break;
                } catch (Exception e) {
                    failures.incrementAndGet();
                    if (!failing) {
                        System.err.println("twinlane security lane: append failed, retrying every 100 ms: " + e.getMessage());
                        failing = true;
                    }
                    if (closing) {
                        System.err.println("twinlane security lane: closing with an unappended event at lane sequence "
                                + sequence + "; the kernel's drop counters and the next start's gap record account for it");
                        return;
                    }
                    Thread.sleep(100);
                }
            }
            if (failing) {
                System.err.println("twinlane security lane: appends resumed");
            }
            appended.lazySet(appended.get() + 1);  // single writer: an ordered store is enough
        }
    }
}
