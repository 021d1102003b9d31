package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.UNSAFE;

import jnr.ffi.Pointer;

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
    /** Record size by tl_kind code, -1 for codes that are no kind. */
    private static final int[] SIZE_BY_CODE = sizesByCode();

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
    private final RecordView view = new RecordView();
    private long consumerPos;
    // Read by metrics threads without a fence: monotonic counters, torn reads impossible on 64-bit.
    private long records;
    private long malformed;
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

    private static int[] sizesByCode() {
        int[] sizes = new int[RecordKind.MAX_CODE + 1];
        for (int code = 0; code < sizes.length; code++) {
            RecordKind k = RecordKind.of(code);
            sizes[code] = k == null ? -1 : k.size();
        }
        return sizes;
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
     *
     * The hot loop reads the producer position only when it has caught up
     * with the last value read, checks well-formedness inline (the same rule as
     * {@link RecordView#check()}, which still names the problem of a bad
     * record), and publishes the consumer position after each record, once the
     * handler has returned. If the handler throws, the position stays at the
     * record it threw on.
     */
    public int drain(RecordHandler handler, int limit) {
        final RecordView v = view;
        final long data = dataAddress;
        final long m = mask;
        int n = 0;
        long good = 0;
        long cons = consumerPos;
        long lastStep = 0;
        long prod = UNSAFE.getLongVolatile(null, producerPosAddress);
        try {
            while (n < limit) {
                if (cons >= prod) {
                    prod = UNSAFE.getLongVolatile(null, producerPosAddress);
                    if (cons >= prod) {
                        break;
                    }
                }
                long header = data + (cons & m);
                // Acquire: the kernel commits a record by clearing BUSY with a full barrier.
                int len = UNSAFE.getIntVolatile(null, header);
                if ((len & BUSY_BIT) != 0) {
                    break;
                }
                int size = len & ~(BUSY_BIT | DISCARD_BIT);
                if ((len & DISCARD_BIT) == 0) {
                    long address = header + HEADER;
                    v.wrap(address, size);
                    if (wellFormed(address, size)) {
                        good++;
                        handler.onRecord(v);
                    } else {
                        malformed(handler, v);
                    }
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
                // Release: the kernel may reuse the space only after the handler is done with it.
                UNSAFE.putOrderedLong(null, consumerPosAddress, cons);
            }
        } finally {
            // Also when the handler throws: the field must match what the kernel was told.
            consumerPos = cons;
            records += good;
        }
        return n;
    }

    /** {@code RecordView.check(...) == OK} for a record in mapped memory, without the view's indirections. */
    private static boolean wellFormed(long address, int size) {
        if (size < 4) {
            return false;
        }
        int code = UNSAFE.getShort(null, address + RecordLayout.KIND_OFFSET) & 0xFFFF;
        return code < SIZE_BY_CODE.length && SIZE_BY_CODE[code] == size
                && (UNSAFE.getShort(null, address + RecordLayout.SIZE_OFFSET) & 0xFFFF) == size;
    }

    private void malformed(RecordHandler handler, RecordView v) {
        int problem = v.check();
        if (problem == RecordView.OK) { // cannot happen: wellFormed is check() == OK
            records++;
            handler.onRecord(v);
            return;
        }
        malformed++;
        handler.onMalformed(v, problem);
    }

    /** Waits up to {@code timeoutMs} for records (epoll), then drains up to {@code limit}. */
    public int poll(RecordHandler handler, int timeoutMs, int limit) {
        int n = drain(handler, limit);
        if (n > 0 || timeoutMs == 0) {
            return n;
        }
        int r = LIBC.epoll_wait(epollFd, epollEvents, 1, timeoutMs);
        if (r < 0 && Native.errno() != 4 /* EINTR */) {
            throw new IngestException("ring " + name + ": epoll_wait: " + Native.strerror(Native.errno()));
        }
        return drain(handler, limit);
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
        ev.putInt(0, LibC.EPOLLIN);
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
