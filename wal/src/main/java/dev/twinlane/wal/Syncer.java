package dev.twinlane.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Group commit. Every interval one fdatasync of the current cycle file covers all records
 * appended since the previous one; then the highest record it covered becomes durable.
 * When the appender rolls to a new cycle file, the old file is synced once more, and the
 * directory and Chronicle's metadata.cq4t are synced so the new file's name survives too.
 * The same thread writes time-due SEAL records and, once a SEAL is durable, the side file.
 */
final class Syncer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");
    private final ChainedLog log;
    private final long intervalNanos;
    private final LongConsumer listener;
    private final ReentrantLock syncLock = new ReentrantLock();
    private final AtomicLong durable = new AtomicLong();
    private final ConcurrentLinkedQueue<Path> newFiles = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private FileChannel current;

    Syncer(ChainedLog log, long intervalNanos, LongConsumer listener, long initialDurable) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.listener = listener;
        this.durable.set(initialDurable);
        this.thread = new Thread(this::loop, "wal-syncer-" + log.name());
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

    private void loop() {
        long period = intervalNanos > 0 ? intervalNanos : TimeUnit.MILLISECONDS.toNanos(100);
        while (running) {
            LockSupport.parkNanos(period);
            if (!running) {
                break;
            }
            try {
                log.appenderInternal().sealIfDue();
            } catch (WalException e) {
                // already reported by the appender
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "wal " + log.name() + ": time seal failed: " + e);
            }
            syncNow();
        }
    }

    /** One group commit; returns the durable seq afterwards. Safe from any thread. */
    long syncNow() {
        syncLock.lock();
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
                log.metrics().fsync(System.nanoTime() - t0);
                if (target > durable.get()) {
                    durable.set(target);
                    publish(target);
                }
            }
            log.syncSucceeded();
            saveSealIfDurable();
        } catch (IOException | RuntimeException e) {
            log.ioFailure("sync", new WalException("fsync of " + log.directory() + " failed: " + e.getMessage(), e));
        } finally {
            syncLock.unlock();
        }
        return durable.get();
    }

    private void forceTimed(FileChannel ch) throws IOException {
        long t0 = System.nanoTime();
        ch.force(false);
        log.metrics().fsync(System.nanoTime() - t0);
    }

    private void publish(long seq) {
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
        Seal s = log.appenderInternal().unsavedSeal();
        if (s == null || s.recordSeq > durable.get()) {
            return;
        }
        try {
            s.writeTo(log.sealFile());
            log.appenderInternal().sealSaved(s);
            log.sealFileSaved();
        } catch (IOException e) {
            log.ioFailure("seal-file", new WalException("cannot write seal file " + log.sealFile() + ": " + e.getMessage(), e));
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
