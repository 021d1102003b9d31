package dev.twinlane.wal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Meters of one log, tagged log=&lt;name&gt;: wal.records.appended{kind}, wal.append.latency,
 * wal.fsync.latency, wal.durable.lag (records appended but not yet durable), wal.io.errors{op}
 * and wal.healthy (1 or 0). Counters per kind are created on first use and then reused, so
 * the append path does not allocate.
 */
final class WalMetrics {
    private final MeterRegistry registry;
    private final String log;
    private final Counter[] byKind = new Counter[0x10000];
    private final Timer appendLatency;
    private final Timer fsyncLatency;

    WalMetrics(MeterRegistry registry, String log, ChainedLog owner) {
        this.registry = registry;
        this.log = log;
        this.appendLatency = Timer.builder("wal.append.latency").tag("log", log)
                .description("time to chain and write one record").register(registry);
        this.fsyncLatency = Timer.builder("wal.fsync.latency").tag("log", log)
                .description("time of one group commit (fdatasync of the cycle file)").register(registry);
        Gauge.builder("wal.durable.lag", owner, o -> o.appendedSeq() - o.durableSeq()).tag("log", log)
                .description("records appended but not yet durable").register(registry);
        Gauge.builder("wal.healthy", owner, o -> o.status().healthy() ? 1 : 0).tag("log", log)
                .description("1 while appends and syncs succeed").register(registry);
    }

    void appended(int kind, long nanos) {
        Counter c = byKind[kind];
        if (c == null) {
            c = Counter.builder("wal.records.appended").tag("log", log).tag("kind", Kinds.name(kind))
                    .register(registry);
            byKind[kind] = c;
        }
        c.increment();
        appendLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void fsync(long nanos) {
        fsyncLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void ioError(String op) {
        Counter.builder("wal.io.errors").tag("log", log).tag("op", op).register(registry).increment();
    }

    MeterRegistry registry() {
        return registry;
    }

    static <T> T orDefault(T value, Supplier<T> dflt) {
        return value != null ? value : dflt.get();
    }
}
