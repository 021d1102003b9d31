package dev.twinlane.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Group commit. One fdatasync of the current cycle file covers all records appended since the
 * previous one; then the highest record it covered becomes durable. Syncs are timed so that
 * each record is durable within one interval of its append (see loop).
 * When the appender rolls to a new cycle file, the old file is synced once more, and the
 * directory and Chronicle's metadata.cq4t are synced so the new file's name survives too.
 * The same thread writes time-due SEAL records and, once a SEAL is durable, the side file,
 * and, after the fsync that covers every record before a key evolution, the key state file.
 */
final class Syncer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");
    private final ChainedLog log;
    private final long intervalNanos;
    private final LongConsumer listener;
    private final ReentrantLock syncLock = new ReentrantLock();
    private final AtomicLong durable = new AtomicLong();
    private final ConcurrentLinkedQueue<Path> newFiles = new ConcurrentLinkedQueue<>();
    /** The appender's newest key, not yet in the key state file; whoever takes it out owns (erases) it. */
    private final AtomicReference<EpochKeys> dueState = new AtomicReference<>();
    private volatile byte[] logId;
    private final Thread thread;
    private volatile boolean running = true;
    /** Durations of the last syncs that wrote something (fsync to durable), for the start time of the next. */
    private final long[] recentSyncs = new long[64];
    private int recentIndex;
    private FileChannel current;

    Syncer(ChainedLog log, long intervalNanos, LongConsumer listener, long initialDurable, Runnable setup) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.listener = listener;
        this.durable.set(initialDurable);
        this.thread = new Thread(() -> {
            setup.run();
            loop();
        }, "wal-syncer-" + log.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long durableSeq() {
        return durable.get();
    }

    /** At open: what a killed writer appended may still be only in the page cache; sync it. */
    void initialSync(java.util.List<Path> files) throws IOException {
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                forceTimed(ch);
            }
        }
        KeyFiles.syncDirectory(log.directory());
        long target = log.appendedSeq();
        if (target > durable.get() || !files.isEmpty()) {
            syncNow();
        }
    }

    /** The appender moved to {@code file}; registered before any record in it is published. */
    void newFile(Path file) {
        newFiles.add(file);
    }

    /** The appender's key moved to {@code k} (a copy, erased here once written or superseded). */
    void keyStateDue(EpochKeys k, byte[] id) {
        logId = id;
        EpochKeys superseded = dueState.getAndSet(k);
        if (superseded != null) {
            superseded.erase();
        }
    }

    /**
     * The interval is a promise about each record: durable within one interval of its append.
     * Sleeping a whole interval between syncs breaks it by the length of the fsync (here up to
     * 30 ms, more under load): a record appended just after a sync read its target waited the
     * interval, the next fsync, and the tail of the current one. So each sync starts when the
     * oldest record it must cover would otherwise miss its deadline, less the longest of the
     * recent syncs (see syncEstimate): on a busy log syncs come a little more often than the interval.
     */
    private void loop() {
        long period = intervalNanos > 0 ? intervalNanos : TimeUnit.MILLISECONDS.toNanos(100);
        long deadline = System.nanoTime() + period;
        while (running) {
            long wait = deadline - syncEstimate(period) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue; // woken early (close) or on time: look again
            }
            long coveredFrom = System.nanoTime(); // every record appended before this is in the sync
            syncNow();
            deadline = coveredFrom + period;
        }
    }

    /**
     * The longest of the last 64 syncs, plus a quarter (the next may be longer: measured, the
     * longest of 16 plus 2 ms was overrun by up to 0.9 ms) and 2 ms (this thread wakes late
     * too); at most half the interval, so that the thread always sleeps between syncs (an idle
     * log after slow syncs would otherwise have it loop, at real-time priority in the agent).
     */
    private long syncEstimate(long period) {
        long max = 0;
        for (long d : recentSyncs) {
            max = Math.max(max, d);
        }
        return Math.min(period / 2, max + max / 4 + 2_000_000L);
    }

    /** One group commit; returns the durable seq afterwards. Safe from any thread. */
    long syncNow() {
        syncLock.lock();
        // Taken before the target is read: every record MACed with an older key is then <= target.
        EpochKeys state = dueState.getAndSet(null);
        try {
            long target = log.appendedSeq();
            boolean rolled = false;
            Path f;
            while ((f = newFiles.poll()) != null) {
                if (current != null) {
                    forceTimed(current);
                    current.close();
                }
                current = FileChannel.open(f, StandardOpenOption.READ);
                rolled = true;
            }
            if (target > durable.get() || rolled) {
                long t0 = System.nanoTime();
                if (current != null) {
                    current.force(false);
                }
                if (rolled) {
                    KeyFiles.syncDirectory(log.directory());
                    try (FileChannel meta = FileChannel.open(log.directory().resolve("metadata.cq4t"),
                            StandardOpenOption.READ)) {
                        meta.force(false);
                    }
                }
                long took = System.nanoTime() - t0;
                log.metrics().fsync(took);
                recentSyncs[recentIndex++ & 63] = took;
                if (target > durable.get()) {
                    durable.set(target);
                    publish(target);
                }
            }
            log.health.syncSucceeded();
            saveSealIfDurable();
            if (saveKeyState(state)) {
                state = null;
            }
        } catch (IOException | RuntimeException e) {
            log.health.ioFailure("sync", new WalException("fsync of " + log.directory() + " failed: " + e.getMessage(), e));
        } finally {
            giveBack(state);
            syncLock.unlock();
        }
        return durable.get();
    }

    /** True when {@code state} (may be null) is written and erased. */
    private boolean saveKeyState(EpochKeys state) {
        if (state == null) {
            return true;
        }
        try {
            log.saveKeyState(state, logId);
        } catch (IOException | RuntimeException e) {
            log.health.ioFailure("key-state", new WalException("cannot write key state file " + log.keyStateFile() + ": "
                    + e.getMessage() + " (the file keeps an older key; retried at the next group commit)", e));
            return false;
        }
        log.health.keyStateSaved();
        state.erase();
        return true;
    }

    /** A key not written goes back for the next try, unless the appender has handed over a newer one. */
    private void giveBack(EpochKeys state) {
        if (state != null && !dueState.compareAndSet(null, state)) {
            state.erase();
        }
    }

    private void forceTimed(FileChannel ch) throws IOException {
        long t0 = System.nanoTime();
        ch.force(false);
        log.metrics().fsync(System.nanoTime() - t0);
    }

    private void publish(long seq) {
        log.durableMoved();
        if (listener != null) {
            try {
                listener.accept(seq);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "wal " + log.name() + ": durable listener failed: " + e);
            }
        }
    }

    /** The side file only ever names a seal whose record is durable, so it never runs ahead. */
    private void saveSealIfDurable() {
        DurableSeal s = log.appenderInternal().unsavedSeal();
        if (s == null || s.recordSeq > durable.get()) {
            return;
        }
        try {
            s.writeTo(log.sealFile());
            log.appenderInternal().sealSaved(s);
            log.health.sealFileSaved();
        } catch (IOException e) {
            log.health.ioFailure("seal-file", new WalException("cannot write seal file " + log.sealFile() + ": " + e.getMessage(), e));
            return;
        }
        log.sealDurable(s, durable.get()); // the identity file beside the log keeps it too
    }

    /** Stops the thread (no more timed syncs); syncNow still works. */
    void stop() {
        running = false;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
        syncNow();
        syncLock.lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
        } catch (IOException e) {
            // closing a read channel; nothing to lose
        } finally {
            syncLock.unlock();
        }
    }
}
