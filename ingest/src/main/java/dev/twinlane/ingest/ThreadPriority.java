package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;

import jnr.ffi.Pointer;

/**
 * Real-time scheduling for the threads of the security path (the security ring's reader and
 * the security lane). Under CPU contention a normal thread that is woken waits for its turn
 * behind whatever else runs, for milliseconds on a 2-core host; a SCHED_FIFO thread runs as
 * soon as the running thread leaves the kernel. Measured in the end-to-end benchmark (2 cores,
 * 100 k records/s): kernel -> router p99 2.5 ms at normal priority, 0.27 ms at SCHED_FIFO 1.
 * Safe only for threads that block when idle: a spinning real-time thread keeps its core
 * from every normal thread (the agent's configuration refuses that combination).
 */
public final class ThreadPriority {
    private static final int SCHED_FIFO = 1;
    private static final int SCHED_RESET_ON_FORK = 0x40000000;

    private ThreadPriority() {
    }

    /**
     * The calling thread's scheduling for the security path: SCHED_FIFO at {@code realtime} when
     * it is above 0, else normal scheduling at nice {@code nice} (-20..19). A nice thread still
     * goes where a CPU is idle when it wakes; a real-time one goes back to the CPU it last ran on
     * and takes it from whatever runs there. Returns null on success, else one line saying why not.
     */
    public static String apply(int realtime, int nice) {
        if (realtime != 0 || nice == 0) {
            return realtime(realtime);
        }
        if (nice < -20 || nice > 19) {
            return "nice " + nice + " is not in -20..19";
        }
        if (LIBC.setpriority(0, LIBC.gettid(), nice) != 0) {
            return "setpriority(nice " + nice + "): " + Native.strerror(Native.errno());
        }
        return null;
    }

    /**
     * Puts the calling thread in SCHED_FIFO at {@code priority} (1..99; 0 leaves it as it is).
     * Returns null on success, else one line saying why not; the thread then runs on as it was.
     */
    public static String realtime(int priority) {
        if (priority == 0) {
            return null;
        }
        if (priority < 1 || priority > 99) {
            return "real-time priority " + priority + " is not in 1..99";
        }
        int cpus = Runtime.getRuntime().availableProcessors();   // affinity and cgroup quota included
        if (cpus < 2) {
            // Seen with the agent pinned to one CPU: an overloaded real-time path never sleeps, the
            // JIT compiler and GC threads never run, and the path stays in the interpreter, slower still.
            return "real-time priority needs 2 CPUs at least, this process may use " + cpus
                    + " (a busy real-time thread would starve the JIT compiler and the GC)";
        }
        Pointer param = Native.allocate(4);
        param.putInt(0, priority);
        // pid 0: the calling thread. Reset on fork: a child (e.g. a helper process) starts normal.
        if (LIBC.sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, param) != 0) {
            return "sched_setscheduler(SCHED_FIFO, " + priority + "): " + Native.strerror(Native.errno());
        }
        return null;
    }
}
