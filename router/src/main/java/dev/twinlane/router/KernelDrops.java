package dev.twinlane.router;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.records.Ring;

/**
 * The kernel's reservation failures per ring, read from the per-CPU drops map
 * on a thread of its own every {@link #PERIOD_NS}: a map lookup is a system
 * call, and the security reader runs at real-time priority with none per
 * record nor per drain. Readers see the last cumulative count read.
 */
final class KernelDrops {
    static final long PERIOD_NS = 100_000_000L;
    private final KernelIngest kernel;
    private final AtomicLongArray counts = new AtomicLongArray(Ring.values().length);
    /** CLOCK_BOOTTIME taken before the read that gave {@link #counts}; stored after them. */
    private volatile long readAtBootNs;
    private final Thread thread;
    private volatile boolean running = true;

    KernelDrops(KernelIngest kernel) {
        this.kernel = kernel;
        this.thread = new Thread(this::loop, "router-drops");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Cumulative drops of {@code ring} as last read; starts at zero with the maps. */
    long count(Ring ring) {
        return counts.get(ring.id());
    }

    /**
     * A boot time no later than the read behind any count loaded after this call: every drop
     * not in such a count happened after it.
     */
    long readAtBootNs() {
        return readAtBootNs;
    }

    private void loop() {
        while (running) {
            readNow();
            LockSupport.parkNanos(PERIOD_NS);
        }
    }

    /** Reads both counters now (also the final read, after the programs are detached). */
    void readNow() {
        long at = KernelClock.bootNanos();
        for (Ring r : Ring.values()) {
            counts.set(r.id(), kernel.drops(r));
        }
        readAtBootNs = at;
    }

    void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
    }
}
