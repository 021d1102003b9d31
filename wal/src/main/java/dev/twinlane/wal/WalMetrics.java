package dev.twinlane.wal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import dev.twinlane.wal.proof.Kinds;

/**
 * Meters of one log, tagged log=&lt;name&gt;: twinlane.wal.records.appended{kind},
 * twinlane.wal.append.latency and twinlane.wal.fsync.latency (with histogram buckets, for
 * Prometheus), twinlane.wal.durable.seq, twinlane.wal.durable.lag.records (records appended but not yet
 * durable), twinlane.wal.seal.age.seconds, twinlane.wal.io.errors{op} and twinlane.wal.healthy (1
 * or 0). Counters per kind are created on first use and then reused, so the append path does not
 * allocate.
 */
final class WalMetrics {
    static final int TIMER_SAMPLE = 16;
    /** Histogram bounds for append and fsync times: 10 µs (an append) to 10 s (a stalled disk). */
    private static final Duration[] BUCKETS = Stream.of(10_000L, 50_000L, 100_000L, 250_000L, 500_000L, 1_000_000L,
            2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L, 50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L,
            1_000_000_000L, 2_500_000_000L, 10_000_000_000L).map(Duration::ofNanos).toArray(Duration[]::new);
    private final MeterRegistry registry;
    private final String log;
    /** Plain counts per kind, written under the appender's lock, read by Micrometer (FunctionCounter). */
    private final long[] byKind = new long[0x10000];
    private final boolean[] registered = new boolean[0x10000];
    private final Timer appendLatency;
    private final Timer fsyncLatency;

    WalMetrics(MeterRegistry registry, String log, ChainedLog owner) {
        this.registry = registry;
        this.log = log;
        this.appendLatency = Timer.builder("twinlane.wal.append.latency").tag("log", log)
                .serviceLevelObjectives(BUCKETS)
                .description("time to chain and write one record (sampled: 1 append in 16)").register(registry);
        this.fsyncLatency = Timer.builder("twinlane.wal.fsync.latency").tag("log", log)
                .serviceLevelObjectives(BUCKETS)
                .description("time of one group commit (fdatasync of the cycle file)").register(registry);
        Gauge.builder("twinlane.wal.durable.seq", owner, ChainedLog::durableSeq).tag("log", log)
                .description("highest seq that is durable").register(registry);
        Gauge.builder("twinlane.wal.durable.lag.records", owner, o -> o.appendedSeq() - o.durableSeq()).tag("log", log)
                .description("records appended but not yet durable").register(registry);
        Gauge.builder("twinlane.wal.seal.age.seconds", owner,
                o -> (System.currentTimeMillis() - o.lastSealMillis()) / 1000.0).tag("log", log)
                .description("seconds since the newest seal became durable (or the log was opened)").register(registry);
        Gauge.builder("twinlane.wal.healthy", owner, o -> o.status().healthy() ? 1 : 0).tag("log", log)
                .description("1 while appends and syncs succeed").register(registry);
    }

    /** Counts every record; times one append in {@value #TIMER_SAMPLE} (two clock reads and a timer update are not free). */
    void appended(final int kind, long seq, long startNanos) {
        if (!registered[kind]) {
            registered[kind] = true;
            FunctionCounter.builder("twinlane.wal.records.appended", byKind, a -> a[kind]).tag("log", log)
                    .tag("kind", Kinds.name(kind)).description("records appended, by kind").register(registry);
        }
        byKind[kind]++;
        if ((seq & (TIMER_SAMPLE - 1)) == 0) {
            appendLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }

    void fsync(long nanos) {
        fsyncLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void ioError(String op) {
        Counter.builder("twinlane.wal.io.errors").tag("log", log).tag("op", op).register(registry).increment();
    }

    MeterRegistry registry() {
        return registry;
    }

    static <T> T orDefault(T value, Supplier<T> dflt) {
        return value != null ? value : dflt.get();
    }
}
