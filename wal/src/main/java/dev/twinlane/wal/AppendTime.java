package dev.twinlane.wal;

import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * Chronicle's clock for the writer's queue: the wall-clock reading the appender took for the
 * current append. Chronicle chooses the cycle (and so whether to create a new file) from it,
 * so the appender knows for sure whether an append will roll before it starts the append,
 * and can make room for the new file without racing the clock.
 */
final class AppendTime implements TimeProvider {
    private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

    void set(long nowMillis) {
        millis.lazySet(nowMillis);
    }

    @Override
    public long currentTimeMillis() {
        return millis.get();
    }

    @Override
    public long currentTimeMicros() {
        return millis.get() * 1000L;
    }

    @Override
    public long currentTimeNanos() {
        return millis.get() * 1_000_000L;
    }
}
