package dev.twinlane.bench.router;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.lmax.disruptor.YieldingWaitStrategy;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.router.PromotionRule;
import dev.twinlane.security.SecurityEvent;
import dev.twinlane.security.SecurityLane;

/**
 * Routing throughput: classify each record (kind, promotion rule), copy it
 * once, hand it to the sink. "disruptor" is twinlane's SecurityLane with a thread
 * of its own (preallocated entries, Disruptor ring); "inline" is the agent's
 * default SecurityLane, where the publishing thread calls the sink itself;
 * "queue" is the same work through an ArrayBlockingQueue of freshly copied byte
 * arrays, the obvious alternative. The sink only counts, so the figure is the
 * router's and the hand-off's (none, inline).
 * One operation is one record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RouterBenchmark {
    @Param({"8192"})
    int ringSize;

    private byte[][] records;
    private final RecordView view = new RecordView();
    private final PromotionRule rule = new PromotionRule("failed-privileged", RecordKind.SYSCALL, true,
            new long[] {101, 105, 106}, new long[0]);
    private SecurityLane lane;
    private SecurityLane inlineLane;
    private ArrayBlockingQueue<byte[]> queue;
    private Thread queueConsumer;
    private final AtomicLong consumed = new AtomicLong();
    private volatile boolean running;
    private long promoted;

    @Setup(Level.Trial)
    public void setUp() {
        records = SampleRecords.mix();
        lane = new SecurityLane(ringSize, new YieldingWaitStrategy(), this::count).start();
        inlineLane = SecurityLane.inline(this::count).start();
        queue = new ArrayBlockingQueue<>(ringSize);
        running = true;
        queueConsumer = new Thread(() -> {
            try {
                while (running || !queue.isEmpty()) {
                    byte[] r = queue.poll(10, TimeUnit.MILLISECONDS);
                    if (r != null) {
                        consumed.lazySet(consumed.get() + r[0]);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "queue-consumer");
        queueConsumer.start();
    }

    private void count(SecurityEvent e) {
        consumed.lazySet(consumed.get() + e.data()[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        lane.close();
        inlineLane.close();
        running = false;
        queueConsumer.join();
    }

    @Benchmark
    @OperationsPerInvocation(SampleRecords.COUNT)
    public long disruptor() {
        for (byte[] r : records) {
            view.wrap(r, 0, r.length);
            if (view.kind() != null && rule.matches(view)) {
                promoted++;
            }
            lane.publish(view);
        }
        lane.endBatch();  // as the router does after each drain of the kernel ring
        return promoted;
    }

    @Benchmark
    @OperationsPerInvocation(SampleRecords.COUNT)
    public long inline() {
        for (byte[] r : records) {
            view.wrap(r, 0, r.length);
            if (view.kind() != null && rule.matches(view)) {
                promoted++;
            }
            inlineLane.publish(view);
        }
        inlineLane.endBatch();
        return promoted;
    }

    @Benchmark
    @OperationsPerInvocation(SampleRecords.COUNT)
    public long queue() throws InterruptedException {
        for (byte[] r : records) {
            view.wrap(r, 0, r.length);
            if (view.kind() != null && rule.matches(view)) {
                promoted++;
            }
            byte[] copy = new byte[view.length()];
            view.copyTo(copy, 0);
            queue.put(copy);
        }
        return promoted;
    }
}
