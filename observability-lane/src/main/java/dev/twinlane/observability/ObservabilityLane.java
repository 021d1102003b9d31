package dev.twinlane.observability;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.records.RecordView;
import dev.twinlane.router.ObservabilityPublisher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The observability lane: batched by time window, aggregated, allowed to
 * impute but marking it. It never waits: when its ring is nearly full it
 * keeps one record in {@link #SAMPLE_UNDER_PRESSURE} and sheds the rest, when
 * full it sheds everything, and counts exactly what it shed. Nothing it does
 * can hold up the security lane or the kernel readers.
 *
 * One thread publishes (records, kernel losses and clock ticks alike), so the
 * ring is single-producer, and entries are handed over once per
 * {@link #endBatch()} (or every eighth of the ring): one release store and
 * at most one wake-up of the lane's thread per batch, not per record.
 */
public final class ObservabilityLane implements ObservabilityPublisher, AutoCloseable {
    static final int SAMPLE_UNDER_PRESSURE = 8;

    private final RingBuffer<ObservationEvent> ring;
    private final BatchEventProcessor<ObservationEvent> processor;
    private final WindowAggregator aggregator;
    private final Thread thread;
    private final long pressureMark;
    /** Most entries claimed before they are handed over. */
    private final int publishEvery;
    private final AtomicLong shedFull = new AtomicLong();
    private final AtomicLong shedSampled = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private long sampleCounter;
    /** Entries claimed but not yet handed over (publisher thread only). */
    private int pending;
    private long pendingFrom;

    public ObservabilityLane(Settings settings, BatchSink sink) {
        this(settings, sink, System::currentTimeMillis);
    }

    ObservabilityLane(Settings settings, BatchSink sink, LongSupplier clockMillis) {
        this.ring = RingBuffer.createSingleProducer(ObservationEvent::new, settings.ringSize, settings.wait);
        this.pressureMark = settings.ringSize / 4;
        this.publishEvery = Math.max(1, settings.ringSize / 8);
        this.aggregator = new WindowAggregator(settings.windowMs, settings.maxSeries, settings.imputation, sink,
                clockMillis, this::shed);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), aggregator);
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(processor, "observability-lane");
    }

    /** Settings with the defaults of the configuration file. */
    public static final class Settings {
        int ringSize = 1 << 16;
        WaitStrategy wait = new com.lmax.disruptor.BlockingWaitStrategy();
        long windowMs = 200;
        int maxSeries = 8192;
        Imputation imputation = Imputation.LAST;

        public Settings ringSize(int n) {
            ringSize = n;
            return this;
        }

        public Settings waitStrategy(WaitStrategy w) {
            wait = w;
            return this;
        }

        public Settings windowMs(long ms) {
            windowMs = ms;
            return this;
        }

        /** Series (and forks, exits) per batch before a window is written in parts. */
        public Settings maxSeries(int n) {
            maxSeries = n;
            return this;
        }

        public Settings imputation(Imputation m) {
            imputation = m;
            return this;
        }
    }

    public ObservabilityLane start() {
        thread.start();
        return this;
    }

    /** Offers a record; returns false when it was shed (counted). Never waits. One calling thread only. */
    @Override
    public boolean offer(RecordView record) {
        if (record.length() > ObservationEvent.CAPACITY) {
            shedFull.incrementAndGet();   // no observability kind is this long: never copied past an entry
            return false;
        }
        if (ring.remainingCapacity() < pressureMark && sampleCounter++ % SAMPLE_UNDER_PRESSURE != 0) {
            shedSampled.incrementAndGet();
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (InsufficientCapacityException full) {
            shedFull.incrementAndGet();
            return false;
        }
        try {
            ring.get(seq).record(record);
        } finally {
            claimed(seq);
        }
        accepted.lazySet(accepted.get() + 1);  // one caller (the router's observability thread)
        return true;
    }

    /** Records the kernel lost on the observability ring, reported by the router. */
    @Override
    public void reportKernelLoss(long count) {
        try {
            long seq = ring.tryNext();
            ring.get(seq).loss(count);
            claimed(seq);
        } catch (InsufficientCapacityException full) {
            shedFull.addAndGet(count);
        }
    }

    /** Closes windows when no record arrives; a full ring skips a tick, and the next record closes it. */
    @Override
    public void tick() {
        try {
            long seq = ring.tryNext();
            ring.get(seq).tick();
            claimed(seq);
        } catch (InsufficientCapacityException full) {
            // Busy lane: records close the window.
        }
    }

    private void claimed(long seq) {
        if (pending++ == 0) {
            pendingFrom = seq;
        }
        if (pending == publishEvery) {
            endBatch();
        }
    }

    /** Hands over every entry claimed since the last call. */
    @Override
    public void endBatch() {
        if (pending > 0) {
            ring.publish(pendingFrom, pendingFrom + pending - 1);
            pending = 0;
        }
    }

    public long shed() {
        return shedFull.get() + shedSampled.get();
    }

    public long shedFull() {
        return shedFull.get();
    }

    public long shedSampled() {
        return shedSampled.get();
    }

    public long accepted() {
        return accepted.get();
    }

    public long batches() {
        return aggregator.batches();
    }

    /** Batches the observability log refused (full disk, I/O error): dropped and counted, never retried. */
    public long unwritten() {
        return aggregator.unwritten();
    }

    /** Hands over what is pending and waits until it has been handled (tests; the publisher's thread). */
    void awaitIdle() throws InterruptedException {
        endBatch();
        while (ring.getCursor() > processor.getSequence().get()) {
            Thread.sleep(1);
        }
    }

    public void bindMetrics(MeterRegistry registry) {
        FunctionCounter.builder("twinlane.lane.records", this, ObservabilityLane::accepted)
                .tag("lane", "observability").register(registry);
        // the router's hand-over found this lane's ring full; the lane sheds 7 in 8 when it is 3/4 full
        FunctionCounter.builder("twinlane.drops", this, ObservabilityLane::shedFull).tag("hop", "router")
                .tag("reason", "ring_full").tag("ring", "observability").register(registry);
        FunctionCounter.builder("twinlane.drops", this, ObservabilityLane::shedSampled).tag("hop", "observability_lane")
                .tag("reason", "shed_under_pressure").tag("ring", "observability").register(registry);
        Gauge.builder("twinlane.lane.backlog.records", this, l -> l.ring.getCursor() - l.processor.getSequence().get())
                .tag("lane", "observability").description("records handed to the lane, not yet aggregated")
                .register(registry);
        FunctionCounter.builder("twinlane.lane.batches", this, ObservabilityLane::batches)
                .tag("lane", "observability").register(registry);
        FunctionCounter.builder("twinlane.lane.unwritten", this, ObservabilityLane::unwritten)
                .tag("lane", "observability").description("batches the log refused, dropped").register(registry);
    }

    @Override
    public void close() throws InterruptedException {
        endBatch();   // the publisher has stopped: what it left claimed is handed over here
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ring.getCursor() > processor.getSequence().get() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        processor.halt();
        thread.join();
    }
}
