package dev.twinlane.router;

import java.util.concurrent.ConcurrentLinkedQueue;

import dev.twinlane.records.RecordView;

/**
 * Security records made in user space (ingest's PolicyEvent records, from whichever thread applies,
 * refuses or rolls back a policy; SandboxDenial records, from the audit reader) on their way into the
 * security lane. The security lane has one publisher, the router's security thread, so records are
 * queued here and that thread publishes them between its drains, as it does promotions: in the order
 * they were offered, with at most one drain's delay (up to the idle reader's 100 ms sleep), unless
 * {@link Ready} holds the oldest back for a later drain.
 */
final class UserRecords {
    /** Security thread: completes a queued record with what that thread knows, or holds it back. */
    interface Ready {
        Ready ALWAYS = (record, waitedNs) -> true;

        /**
         * {@code waitedNs}: since it was queued (Long.MAX_VALUE at the last drain). False: publish
         * nothing now (this record keeps its place before the later ones); asked again next drain.
         */
        boolean prepare(byte[] record, long waitedNs);
    }

    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final RecordView view = new RecordView();
    private final Ready ready;
    private boolean closed;
    private long lostAtClose;

    UserRecords() {
        this(Ready.ALWAYS);
    }

    UserRecords(Ready ready) {
        this.ready = ready;
    }

    /** Any thread: queues a checked record (never waits; these records are rare). */
    void offer(byte[] record) {
        int problem = new RecordView().wrap(record, 0, record.length).check();  // not the drain's view: another thread
        if (problem != RecordView.OK) {
            throw new IllegalArgumentException("not a record: " + RecordView.problem(problem));
        }
        Queued q = new Queued(record.clone(), System.nanoTime());
        synchronized (this) {  // against close(): a record is either queued before it or counted after it
            if (closed) {
                lostAtClose++;
            } else {
                queue.add(q);
            }
        }
    }

    /** Security thread: publishes the queued records, oldest first, up to one {@link Ready} holds back. */
    int drainTo(SecurityPublisher security) {
        return drainTo(security, false);
    }

    /** The last drain ({@code last}): nothing is held back. */
    int drainTo(SecurityPublisher security, boolean last) {
        if (queue.isEmpty()) {
            return 0;   // the usual case, every drain: no clock read
        }
        int n = 0;
        long now = System.nanoTime();
        for (Queued q; (q = queue.peek()) != null; n++) {
            if (!ready.prepare(q.record, last ? Long.MAX_VALUE : now - q.queuedNs)) {
                break;
            }
            queue.poll();
            security.publish(view.wrap(q.record, 0, q.record.length));
        }
        return n;
    }

    /** After the security thread's last drain: later records are counted, not queued. */
    synchronized void close() {
        closed = true;
        lostAtClose += queue.size();
        queue.clear();
    }

    synchronized long lostAtClose() {
        return lostAtClose;
    }

    private record Queued(byte[] record, long queuedNs) {
    }
}
