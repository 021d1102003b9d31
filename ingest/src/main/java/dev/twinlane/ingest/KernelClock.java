package dev.twinlane.ingest;

import jnr.ffi.Pointer;

/** CLOCK_BOOTTIME, the clock of every record's ktime_ns (bpf_ktime_get_boot_ns). */
public final class KernelClock {
    private static final int CLOCK_BOOTTIME = 7;

    private KernelClock() {
    }

    /** Nanoseconds since boot, suspend included. Allocates: call it per check, not per record. */
    public static long bootNanos() {
        Pointer ts = Native.allocate(16);
        if (Native.LIBC.clock_gettime(CLOCK_BOOTTIME, ts) != 0) {
            throw new IngestException("clock_gettime(CLOCK_BOOTTIME) failed");
        }
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }
}
