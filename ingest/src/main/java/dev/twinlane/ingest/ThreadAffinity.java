package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;

import java.util.BitSet;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The CPUs the calling thread may run on (sched_getaffinity / sched_setaffinity of its own tid).
 * Not for the record path: each call is a system call; the security reader changes its set
 * only when the CPU its records come from changes (see the router's ReaderPlacement).
 */
public final class ThreadAffinity {
    /** Bytes of the kernel's mask: 8192 CPUs, more than any kernel is built for today. */
    private static final int MASK_BYTES = 1024;
    private final Pointer mask = Memory.allocateDirect(Native.RUNTIME, MASK_BYTES);

    /** The calling thread's allowed CPUs, or null (and {@link #problem}) when the kernel refuses. */
    public BitSet allowed() {
        mask.setMemory(0, MASK_BYTES, (byte) 0);
        if (LIBC.sched_getaffinity(LIBC.gettid(), MASK_BYTES, mask) < 0) {
            return null;
        }
        BitSet cpus = new BitSet();
        for (int i = 0; i < MASK_BYTES; i++) {
            int b = mask.getByte(i) & 0xff;
            for (int bit = 0; b != 0 && bit < 8; bit++) {
                if ((b & (1 << bit)) != 0) {
                    cpus.set(i * 8 + bit);
                }
            }
        }
        return cpus;
    }

    /** Restricts the calling thread to {@code cpus}; returns null on success, else one line saying why not. */
    public String restrict(BitSet cpus) {
        if (cpus.isEmpty()) {
            return "no CPU to run on";
        }
        mask.setMemory(0, MASK_BYTES, (byte) 0);
        for (int c = cpus.nextSetBit(0); c >= 0 && c < MASK_BYTES * 8; c = cpus.nextSetBit(c + 1)) {
            mask.putByte(c / 8, (byte) (mask.getByte(c / 8) | (1 << (c % 8))));
        }
        if (LIBC.sched_setaffinity(LIBC.gettid(), MASK_BYTES, mask) < 0) {
            return "sched_setaffinity " + cpus + ": " + Native.strerror(Native.errno());
        }
        return null;
    }

    /** Why the last {@link #allowed} returned null. */
    public static String problem() {
        return "sched_getaffinity: " + Native.strerror(Native.errno());
    }
}
