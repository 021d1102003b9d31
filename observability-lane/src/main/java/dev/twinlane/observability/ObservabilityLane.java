package dev.twinlane.observability;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.ingest.RecordView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The observability lane: batched by time window, aggregated, allowed to
 * impute but marking it. It never waits: when its ring is nearly full it
 * keeps one record in {@link #SAMPLE_UNDER_PRESSURE} and sheds the rest, when
 * full it sheds everything, and counts exactly what it shed. Nothing it does
 * can hold up the security lane or the kernel readers.
 */
public final class ObservabilityLane implements AutoCloseable {
    static final int SAMPLE_UNDER_PRESSURE = 8;

    private final RingBuffer<ObservationEvent> ring;
    private final BatchEventProcessor<ObservationEvent> processor;
    private final WindowAggregator aggregator;
    private final Thread thread;
    private final ScheduledExecutorService ticker;
    private final long windowMs;
    private final long pressureMark;
    private final AtomicLong shedFull = new AtomicLong();
    private final AtomicLong shedSampled = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private long sampleCounter;

    public ObservabilityLane(Settings settings, BatchSink sink) {
        this(settings, sink, System::currentTimeMillis);
    }

    ObservabilityLane(Settings settings, BatchSink sink, LongSupplier clockMillis) {
        this.windowMs = settings.windowMs;
        this.ring = RingBuffer.createMultiProducer(ObservationEvent::new, settings.ringSize, settings.wait);
        this.pressureMark = settings.ringSize / 4;
        this.aggregator = new WindowAggregator(settings.windowMs, settings.maxSeries, settings.imputation, sink,
                clockMillis, this::shed);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), aggregator);
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(processor, "observability-lane");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "observability-ticker");
            t.setDaemon(true);
            return t;
        });
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
        long tick = Math.max(1, windowMs / 4);
        // Ticks close windows when no record arrives; a full ring skips a tick, and the next record closes it.
        ticker.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Offers a record; returns false when it was shed (counted). Never waits. One calling thread only. */
    public boolean offer(RecordView record) {
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
            ring.publish(seq);
        }
        accepted.lazySet(accepted.get() + 1);  // one caller (the router's observability thread)
        return true;
    }

    /** Records the kernel lost on the observability ring, reported by the router. */
    public void reportKernelLoss(long count) {
        try {
            long seq = ring.tryNext();
            ring.get(seq).loss(count);
            ring.publish(seq);
        } catch (InsufficientCapacityException full) {
            shedFull.addAndGet(count);
        }
    }

    private void tick() {
        try {
            long seq = ring.tryNext();
            ring.get(seq).tick();
            ring.publish(seq);
        } catch (InsufficientCapacityException full) {
            // Busy lane: records close the window.
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

    /** Waits until every published entry has been handled (tests and orderly shutdown). */
    void awaitIdle() throws InterruptedException {
        while (ring.getCursor() > processor.getSequence().get()) {
            Thread.sleep(1);
        }
    }

    public void bindMetrics(MeterRegistry registry) {
        FunctionCounter.builder("twinlane.lane.records", this, ObservabilityLane::accepted)
                .tag("lane", "observability").register(registry);
        FunctionCounter.builder("twinlane.lane.shed", this, ObservabilityLane::shedFull)
                .tag("lane", "observability").tag("reason", "ring_full").register(registry);
        FunctionCounter.builder("twinlane.lane.shed", this, ObservabilityLane::shedSampled)
                .tag("lane", "observability").tag("reason", "sampled").register(registry);
        FunctionCounter.builder("twinlane.lane.batches", this, ObservabilityLane::batches)
                .tag("lane", "observability").register(registry);
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ring.getCursor() > processor.getSequence().get() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        processor.halt();
        thread.join();
    }
}
