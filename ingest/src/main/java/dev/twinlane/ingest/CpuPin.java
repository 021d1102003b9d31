package dev.twinlane.ingest;

/**
 * Keeps a thread on some CPUs for the length of a task and puts its own affinity back after.
 * A thread woken by another tends to be placed on the waker's CPU (the scheduler's wake-affine
 * choice), where the two then take turns: two filling threads must be told apart explicitly to
 * run at once. Best effort: a refused call leaves the thread where it was.
 */
final class CpuPin implements AutoCloseable {
    private static final int WORDS = 16; // 1024 CPUs, glibc's cpu_set_t
    private final long[] saved = new long[WORDS];
    private final boolean pinned;

    private CpuPin(long[] mask) {
        LibC c = Native.LIBC;
        pinned = c.sched_getaffinity(0, WORDS * 8L, saved) == 0 && (mask == null || c.sched_setaffinity(0, WORDS * 8L, mask) == 0);
    }

    /** The calling thread, on the CPU it is on now. */
    static CpuPin here() {
        int cpu = Native.LIBC.sched_getcpu();
        return new CpuPin(cpu < 0 ? null : only(cpu));
    }

    /** The calling thread, on any CPU of its current set except {@code cpu}. */
    static CpuPin awayFrom(int cpu) {
        long[] mask = new long[WORDS];
        if (Native.LIBC.sched_getaffinity(0, WORDS * 8L, mask) != 0 || cpu < 0 || cpu >= WORDS * 64) {
            return new CpuPin(null);
        }
        mask[cpu >> 6] &= ~(1L << (cpu & 63));
        for (long w : mask) {
            if (w != 0) {
                return new CpuPin(mask);
            }
        }
        return new CpuPin(null); // that was the only CPU allowed
    }

    static int currentCpu() {
        return Native.LIBC.sched_getcpu();
    }

    private static long[] only(int cpu) {
        long[] mask = new long[WORDS];
        if (cpu < WORDS * 64) {
            mask[cpu >> 6] = 1L << (cpu & 63);
        }
        return mask;
    }

    @Override
    public void close() {
        if (pinned) {
            Native.LIBC.sched_setaffinity(0, WORDS * 8L, saved);
        }
    }
}
