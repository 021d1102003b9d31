package dev.twinlane.wal;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import dev.twinlane.wal.NativeCalls.LibC;

/**
 * Brings the reserved region ahead of the appender into the page cache on its own thread, when
 * the log is written at a moderate rate. Chronicle writes through a shared mapping: the first
 * write to a page that is not cached faults, and the kernel reads ahead there, on the appender's
 * thread, zero-filling up to read_ahead_kb (8 MiB here) of large folios at once. In the
 * end-to-end benchmark (100 k records/s) that was 28% of the security lane's time and stalls of
 * up to 35 ms; with the pages cached first, the appender's fault only maps a page.
 *
 * <p>The pages this thread brings in are single pages (WILLNEED reads no large folios), so the
 * appender then faults once per 4 KiB instead of once per large folio. At high rates those faults
 * cost more than the stalls they avoid (sustained appends fell from 600 k/s to 210 k/s), so above
 * {@link #MAX_RATE} the thread steps aside and the appender's own readahead works as before.
 * Best effort throughout: whatever is not read ahead is faulted in by the appender.
 */
final class Pretoucher implements AutoCloseable {
    private static final LibC LIBC = NativeCalls.LIBC;
    /** The kernel reads at most max(read_ahead_kb, the device's max I/O) per WILLNEED call: ask in small pieces. */
    private static final long PIECE = 128 << 10;
    /** Never read where the appender is about to write: it would wait for the whole piece. */
    private static final long GAP = 1 << 20;
    /** Bytes per second of log above which the appender is left alone (see the class comment). */
    static final long MAX_RATE = 64L << 20;

    private record Range(Path file, long from, long to, long requestedAt) {
    }

    private final AtomicReference<Range> pending = new AtomicReference<>();
    /** Where the appender writes in the current file (a release store per record, no fence). */
    private final AtomicLong appenderAt = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private long lastRequestAt;
    private long lastRequestTo;

    Pretoucher(String name, Runnable setup) {
        thread = new Thread(() -> {
            setup.run();
            loop();
        }, "wal-pretouch-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Called by the appender after each record: the end of what it wrote in the current file. */
    void appenderAt(long offset) {
        appenderAt.lazySet(offset);
    }

    /** {@code [from, to)} of {@code file} was just reserved (appender thread). */
    void request(Path file, long from, long to) {
        long now = System.nanoTime();
        boolean sameFile = lastRequestTo > 0 && from == lastRequestTo;
        long elapsed = now - lastRequestAt;
        lastRequestAt = now;
        lastRequestTo = to;
        if (sameFile && (to - from) * 1_000_000_000L / Math.max(1, elapsed) > MAX_RATE) {
            return; // a fast appender: its own readahead brings large folios (see the class comment)
        }
        Range older = pending.getAndSet(new Range(file, from, to, now));
        if (older != null && older.file.equals(file) && older.from < from) {
            pending.set(new Range(file, older.from, to, now)); // never skip a range not yet read
        }
        LockSupport.unpark(thread);
    }

    private void loop() {
        while (running) {
            Range r = pending.getAndSet(null);
            if (r == null) {
                LockSupport.park(this);
                continue;
            }
            touch(r);
        }
    }

    private void touch(Range r) {
        int fd = LIBC.open(r.file.toString(), LibC.O_RDONLY);
        if (fd < 0) {
            return;
        }
        try {
            for (long at = r.from; at < r.to; at += PIECE) {
                long ahead = appenderAt.get() + GAP;
                if (at < ahead) {
                    at = ahead & -PIECE;
                    if (at >= r.to) {
                        return;
                    }
                }
                if (LIBC.posix_fadvise(fd, at, Math.min(PIECE, r.to - at), LibC.POSIX_FADV_WILLNEED) != 0) {
                    return;
                }
            }
        } finally {
            LIBC.close(fd);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
