package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.UNSAFE;

import jnr.ffi.Pointer;

import dev.twinlane.records.RecordLayout;

/**
 * The security reader's "asleep" flag, in the reader_state map mapped into the JVM: a store,
 * no system call. A reader whose ring stayed empty for a while sets it and sleeps long; the
 * next record's program sees it, clears it and wakes the reader at once. So an idle agent is
 * not woken every max_delay, and a busy one pays no kernel wake-up per record.
 *
 * <p>The program loads the flag after it reserved its record, the reader loads the ring's
 * producer position after it set the flag and a full fence. The program's load may still pass
 * its own reservation (x86 lets a load pass an earlier store), so a record reserved within
 * nanoseconds of the reader falling asleep can miss the wake-up: the reader's long sleep is
 * bounded for that case (see the router).
 */
public final class SleepingReader implements AutoCloseable {
    private static final long PAGE = 4096;
    private final Pointer map;
    private final long flag;
    private boolean closed;

    SleepingReader(int mapFd) {
        map = LIBC.mmap(null, PAGE, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0);
        if (map == null || map.address() == -1L) {
            throw new IngestException("mmap of reader_state failed: " + Native.strerror(Native.errno()));
        }
        flag = map.address() + RecordLayout.READER_STATE.field("security_asleep").offset();
    }

    /**
     * Says the security reader is about to sleep, then looks once more: returns false (and takes
     * the flag back) when the ring already holds a record, reserved or committed.
     */
    public boolean fallAsleep(RingBufferReader security) {
        UNSAFE.putIntVolatile(null, flag, 1);
        UNSAFE.fullFence();
        if (security.backlog() != 0) {
            wakeUp();
            return false;
        }
        return true;
    }

    /** The reader is awake: records need not wake it. */
    public void wakeUp() {
        UNSAFE.putIntVolatile(null, flag, 0);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LIBC.munmap(map, PAGE);
        }
    }
}
