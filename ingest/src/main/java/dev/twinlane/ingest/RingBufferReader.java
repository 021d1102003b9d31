package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.UNSAFE;

import jnr.ffi.Pointer;

import dev.twinlane.records.RecordView;

/**
 * Consumes one BPF ring buffer from memory mapped into the JVM: no system
 * call and no JNI call per record, an epoll sleep only when the ring is empty.
 *
 * The kernel's layout: a consumer page (ours to write), a producer page, then
 * the data area mapped twice back to back, so a record that wraps around the
 * end reads as one contiguous run. Each record has an 8-byte header whose
 * length word carries a BUSY bit (still being written) and a DISCARD bit.
 * One thread reads a ring; the reader is not thread-safe.
 */
public final class RingBufferReader implements AutoCloseable {
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER = 8;
    private static final long PAGE = 4096;

    private final String name;
    private final int mapFd;
    private final long dataSize;
    private final long mask;
    private final Pointer consumerMap;
    private final Pointer producerMap;
    private final long consumerPosAddress;
    private final long producerPosAddress;
    private final long dataAddress;
    private final int epollFd;
    private final Pointer epollEvents = Native.allocate(16);
    private final Pointer timeout = Native.allocate(16);
    private boolean nanoTimeouts = true;
    private final RecordView view = new RecordView();
    private long consumerPos;
    // Read by metrics threads without a fence: monotonic counters, torn reads impossible on 64-bit.
    private long records;
    private long malformed;
    private long lateWakeups;
    private boolean closed;

    private RingBufferReader(String name, int mapFd, long dataSize) {
        if (Long.bitCount(dataSize) != 1 || dataSize < PAGE) {
            throw new IngestException("ring " + name + ": size " + dataSize + " is not a power of two >= one page");
        }
        this.name = name;
        this.mapFd = mapFd;
        this.dataSize = dataSize;
        this.mask = dataSize - 1;
        this.consumerMap = map(PAGE, LibC.PROT_READ | LibC.PROT_WRITE, 0);
        this.producerMap = map(PAGE + 2 * dataSize, LibC.PROT_READ, PAGE);
        this.consumerPosAddress = consumerMap.address();
        this.producerPosAddress = producerMap.address();
        this.dataAddress = producerMap.address() + PAGE;
        this.consumerPos = UNSAFE.getLongVolatile(null, consumerPosAddress);
        this.epollFd = epollOn(mapFd);
    }

    /** Maps the ring buffer map {@code mapFd} whose data area is {@code dataSize} bytes. */
    public static RingBufferReader open(String name, int mapFd, long dataSize) {
        return new RingBufferReader(name, mapFd, dataSize);
    }

    public String name() {
        return name;
    }

    /**
     * Hands every record committed so far to the handler, up to {@code limit};
     * returns how many records (good or malformed) it consumed.
     */
    public int drain(RecordHandler handler, int limit) {
        int n = 0;
        long cons = consumerPos;
        long lastStep = 0;
        try {
            while (n < limit) {
                long prod = UNSAFE.getLongVolatile(null, producerPosAddress);
                if (cons >= prod) {
                    break;
                }
                long header = dataAddress + (cons & mask);
                int len = UNSAFE.getIntVolatile(null, header);
                if ((len & BUSY_BIT) != 0) {
                    break;
                }
                int size = len & ~(BUSY_BIT | DISCARD_BIT);
                if ((len & DISCARD_BIT) == 0) {
                    deliver(handler, header + HEADER, size);
                    n++;
                }
                long step = (size + HEADER + 7) & ~7L;
                // The same sum either way, but written as a branch the CPU predicts: while
                // records keep one size, the next header's address does not wait for this
                // header's load, so the loads of successive records overlap instead of
                // forming one chain. Keep it a branch (a conditional move would not help).
                if (step == lastStep) {
                    cons += lastStep;
                } else {
                    cons += step;
                    lastStep = step;
                }
                // Release: the kernel may reuse the space only after our copy is done.
                UNSAFE.putOrderedLong(null, consumerPosAddress, cons);
            }
        } finally {
            // Also when the handler throws: the field must match what the kernel was told.
            consumerPos = cons;
        }
        return n;
    }

    /** Waits up to {@code timeoutMs} for records (epoll), then drains up to {@code limit}. */
    public int poll(RecordHandler handler, int timeoutMs, int limit) {
        int n = drain(handler, limit);
        if (n > 0 || timeoutMs == 0) {
            return n;
        }
        awaitRecords(timeoutMs * 1_000_000L);
        return drain(handler, limit);
    }

    /**
     * For a reader the kernel wakes per record (tl_config watermark 0): sleeps until the next
     * record or {@code nanos}, unless records are already waiting.
     */
    public void awaitRecords(long nanos) {
        // The kernel wakes us only if, when it commits a record, it sees our consumer position
        // at that record. Our release store of that position may still sit in the store buffer
        // while we load the producer position (x86 lets a load pass an earlier store), and the
        // kernel's commit (a full barrier, then a load of our position) may then miss it: a lost
        // wakeup, paid with the whole timeout. A full fence before the last look closes it.
        UNSAFE.fullFence();
        if (UNSAFE.getLongVolatile(null, producerPosAddress) != consumerPos) {
            return;
        }
        if (await(nanos) == 0 && backlog() > 0) {
            lateWakeups++;
        }
    }

    /**
     * Sleeps until the kernel wakes this ring's reader or {@code nanos} pass; returns 0 on a
     * timeout. The ring is registered edge-triggered: a wake-up the kernel sent while we were
     * draining ends the next sleep at once (nothing is missed), but unread records alone do
     * not, so a reader that sleeps on a timer with records below the watermark really sleeps.
     */
    public int await(long nanos) {
        int r = 0;
        if (nanoTimeouts) {
            timeout.putLong(0, nanos / 1_000_000_000L);
            timeout.putLong(8, nanos % 1_000_000_000L);
            r = LIBC.epoll_pwait2(epollFd, epollEvents, 1, timeout, null);
            if (r < 0 && Native.errno() == LibC.ENOSYS) {
                nanoTimeouts = false;   // an older kernel: whole milliseconds, rounded up
            }
        }
        if (!nanoTimeouts) {
            r = LIBC.epoll_wait(epollFd, epollEvents, 1, (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999L) / 1_000_000L));
        }
        if (r < 0 && Native.errno() != 4 /* EINTR */) {
            throw new IngestException("ring " + name + ": epoll wait: " + Native.strerror(Native.errno()));
        }
        return Math.max(r, 0);
    }

    /** Sleeps that ran to their timeout although records had arrived: wakeups the kernel did not deliver. */
    public long lateWakeups() {
        return lateWakeups;
    }

    /** Bytes committed by the kernel and not yet consumed. */
    public long backlog() {
        return UNSAFE.getLongVolatile(null, producerPosAddress) - consumerPos;
    }

    public long records() {
        return records;
    }

    public long malformed() {
        return malformed;
    }

    public long capacity() {
        return dataSize;
    }

    private void deliver(RecordHandler handler, long address, int size) {
        view.wrap(address, size);
        int problem = view.check();
        if (problem == RecordView.OK) {
            records++;
            handler.onRecord(view);
        } else {
            malformed++;
            handler.onMalformed(view, problem);
        }
    }

    private Pointer map(long length, int prot, long offset) {
        Pointer p = LIBC.mmap(null, length, prot, LibC.MAP_SHARED, mapFd, offset);
        if (p == null || p.address() == -1L) {
            throw new IngestException("ring " + name + ": mmap of " + length + " bytes at " + offset
                    + " failed: " + Native.strerror(Native.errno()));
        }
        return p;
    }

    private int epollOn(int fd) {
        int ep = LIBC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (ep < 0) {
            throw new IngestException("ring " + name + ": epoll_create1: " + Native.strerror(Native.errno()));
        }
        Pointer ev = Native.allocate(12);
        ev.putInt(0, LibC.EPOLLIN | LibC.EPOLLET);
        if (LIBC.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, fd, ev) < 0) {
            throw new IngestException("ring " + name + ": epoll_ctl: " + Native.strerror(Native.errno()));
        }
        return ep;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIBC.close(epollFd);
        LIBC.munmap(consumerMap, PAGE);
        LIBC.munmap(producerMap, PAGE + 2 * dataSize);
    }
}
