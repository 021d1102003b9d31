package dev.twinlane.bench.router;

import java.util.concurrent.TimeUnit;

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

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;

import dev.twinlane.observability.ObservabilityLane;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.RecordKind;

/**
 * The router's observability hand-over: offer a batch of records to the real
 * ObservabilityLane (its real aggregator, a sink that drops the JSON), handing
 * them over once per batch ("batch": what the router does, one endBatch per
 * drain) or after every record ("record": the hand-over before issue 12, one
 * publish and one wait-strategy signal per record), under the Disruptor's
 * blocking strategies. One operation is one record; -prof gc gives the bytes
 * allocated per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ObservabilityHandoverBenchmark {
    @Param({"blocking", "lite-blocking", "sleeping"})
    String wait;

    @Param({"batch", "record"})
    String handover;

    private byte[][] records;
    private final RecordView view = new RecordView();
    private ObservabilityLane lane;
    private boolean perRecord;

    @Setup(Level.Trial)
    public void setUp() {
        // the observability records of the mix: what the router offers this lane
        records = java.util.Arrays.stream(SampleRecords.mix())
                .filter(r -> (r[0] & 0xFF | (r[1] & 0xFF) << 8) == RecordKind.SYSCALL.code())
                .toArray(byte[][]::new);
        perRecord = handover.equals("record");
        lane = new ObservabilityLane(new ObservabilityLane.Settings().ringSize(1 << 16).waitStrategy(strategy(wait)),
                (json, n, start) -> { }).start();
    }

    private static WaitStrategy strategy(String name) {
        switch (name) {
            case "lite-blocking": return new LiteBlockingWaitStrategy();
            case "sleeping": return new SleepingWaitStrategy();
            default: return new BlockingWaitStrategy();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        lane.close();
    }

    @Benchmark
    @OperationsPerInvocation(SampleRecords.COUNT - SampleRecords.COUNT / 64)
    public long offer() {
        long accepted = 0;
        for (byte[] r : records) {
            if (lane.offer(view.wrap(r, 0, r.length))) {
                accepted++;
            }
            if (perRecord) {
                lane.endBatch();
            }
        }
        lane.endBatch();
        return accepted;
    }
}
