package dev.twinlane.router;

import java.util.concurrent.ConcurrentLinkedQueue;

import dev.twinlane.records.RecordView;

/**
 * Policy events (ingest's PolicyEvent records, made in user space by whichever thread applies,
 * refuses or rolls back a policy) on their way into the security lane. The security lane has
 * one publisher, the router's security thread, so events are queued here and that thread
 * publishes them between its drains, as it does promotions: in the order they were offered,
 * with at most one drain's delay (up to the idle reader's 100 ms sleep).
 */
final class PolicyEvents {
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final RecordView view = new RecordView();
    private boolean closed;
    private long lostAtClose;

    /** Any thread: queues a checked record (never waits; a policy event is rare). */
    void offer(byte[] record) {
        int problem = new RecordView().wrap(record, 0, record.length).check();  // not the drain's view: another thread
        if (problem != RecordView.OK) {
            throw new IllegalArgumentException("not a record: " + RecordView.problem(problem));
        }
        byte[] copy = record.clone();
        synchronized (this) {  // against close(): an event is either queued before it or counted after it
            if (closed) {
                lostAtClose++;
            } else {
                queue.add(copy);
            }
        }
    }

    /** Security thread: publishes every queued event, oldest first. */
    int drainTo(SecurityPublisher security) {
        int n = 0;
        for (byte[] r; (r = queue.poll()) != null; n++) {
            security.publish(view.wrap(r, 0, r.length));
        }
        return n;
    }

    /** After the security thread's last drain: later events are counted, not queued. */
    synchronized void close() {
        closed = true;
        lostAtClose += queue.size();
        queue.clear();
    }

    synchronized long lostAtClose() {
        return lostAtClose;
    }
}
