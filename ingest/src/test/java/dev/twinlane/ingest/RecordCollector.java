package dev.twinlane.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/** Test helper: reads both rings on their own threads and keeps a copy of every record. */
final class RecordCollector implements AutoCloseable {
    private final ConcurrentLinkedQueue<byte[]> records = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    RecordCollector(KernelIngest kernel) {
        for (Ring ring : Ring.values()) {
            RingBufferReader reader = kernel.reader(ring);
            Thread t = new Thread(() -> {
                while (running) {
                    reader.poll(r -> {
                        byte[] copy = new byte[r.length()];
                        r.copyTo(copy, 0);
                        records.add(copy);
                    }, 20, 10_000);
                }
            }, "collect-" + ring.label());
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** Waits until {@code n} records match, or 10 s; returns those seen. */
    List<RecordView> await(Predicate<RecordView> match, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<RecordView> found;
        do {
            found = matching(match);
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return found;
    }

    List<RecordView> matching(Predicate<RecordView> match) {
        List<RecordView> out = new ArrayList<>();
        for (byte[] b : records) {
            RecordView v = new RecordView().wrap(b, 0, b.length);
            if (match.test(v)) {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
    }
}
