package dev.twinlane.bench.ring;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.twinlane.ingest.LoadGenerator;
import dev.twinlane.ingest.RingBufferReader;

/**
 * JMH view of the ring-buffer drain (issue 2). One operation = one record
 * (@OperationsPerInvocation(BATCH)), so the score is records/s and
 * `-prof gc` reports gc.alloc.rate.norm in bytes per record.
 *
 * drain:           the ring is filled with BATCH records in an untimed
 *                  per-invocation setup; the benchmark drains them (consume-only).
 * produceAndDrain: BPF_PROG_TEST_RUN loadgen + drain, both timed.
 *
 * Needs root (loads loadgen.bpf.o). Run: see bench/README.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingDrainBenchmark {
    static final int RING_BYTES = 16 << 20;
    static final int BATCH = 100_000;

    /** The load generator, its ring and the reader, one per benchmark thread. */
    @State(Scope.Thread)
    public static class Ring {
        LoadGenerator gen;
        RingBufferReader reader;
        final SumHandler handler = new SumHandler();

        @Setup(Level.Trial)
        public void open() {
            gen = LoadGenerator.open(RING_BYTES);
            reader = gen.reader();
        }

        @TearDown(Level.Trial)
        public void close() {
            reader.close();
            gen.close();
        }
    }

    /**
     * For the consume-only benchmark: fills the ring before each invocation,
     * untimed. (A subclass, not a second state that takes Ring as a setup
     * argument: JMH 1.37 would then hand the benchmark a different Ring.)
     */
    @State(Scope.Thread)
    public static class FilledRing extends Ring {
        @Setup(Level.Invocation)
        public void fill() {
            long n = gen.emit(BATCH);
            if (n != BATCH) {
                throw new IllegalStateException("loadgen emitted " + n + " of " + BATCH);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long drain(FilledRing ring) {
        int n = ring.reader.drain(ring.handler, Integer.MAX_VALUE);
        if (n != BATCH) {
            throw new IllegalStateException("drained " + n + " of " + BATCH);
        }
        return ring.handler.sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long produceAndDrain(Ring ring) {
        long emitted = ring.gen.emit(BATCH);
        int n = ring.reader.drain(ring.handler, Integer.MAX_VALUE);
        if (n != emitted || n != BATCH) {
            throw new IllegalStateException("drained " + n + " of " + emitted);
        }
        return ring.handler.sum;
    }
}
