package dev.twinlane.router;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.twinlane.records.RecordView;

/**
 * Hands promoted observability records to the security thread, which alone
 * publishes into the security lane. One producer, one consumer, preallocated
 * slots; the producer (the observability thread) waits when it is full, so a
 * promotion is never lost and the security side is never held up.
 */
final class PromotionQueue {
    private static final int SLOT = 256;
    private final byte[][] slots;
    private final int[] lengths;
    private final int mask;
    private final AtomicLong head = new AtomicLong();  // next to read
    private final AtomicLong tail = new AtomicLong();  // next to write
    private final RecordView view = new RecordView();
    private volatile boolean closed;
    private long lostAtClose;

    PromotionQueue(int capacity) {
        int n = Integer.highestOneBit(capacity);
        slots = new byte[n][SLOT];
        lengths = new int[n];
        mask = n - 1;
    }

    /** Copies the record in; waits while the queue is full (or until interrupted). */
    void put(RecordView r) {
        long t = tail.get();
        while (t - head.get() > mask) {
            if (closed) {
                lostAtClose++;  // only at shutdown, after the security thread's last drain
                return;
            }
            LockSupport.parkNanos(50_000);
        }
        int i = (int) (t & mask);
        r.copyTo(slots[i], 0);
        lengths[i] = r.length();
        tail.lazySet(t + 1);
    }

    /** The consumer is gone: a waiting producer gives up instead of hanging the shutdown. */
    void close() {
        closed = true;
    }

    long lostAtClose() {
        return lostAtClose;
    }

    /** Publishes every queued record through {@code sink}; returns how many. */
    int drain(SecurityPublisher sink) {
        long h = head.get();
        long t = tail.get();
        for (long p = h; p < t; p++) {
            int i = (int) (p & mask);
            sink.publish(view.wrap(slots[i], 0, lengths[i]));
        }
        head.lazySet(t);
        return (int) (t - h);
    }
}
