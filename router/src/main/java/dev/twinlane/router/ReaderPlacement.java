package dev.twinlane.router;

import java.util.Arrays;
import java.util.BitSet;

import dev.twinlane.ingest.ThreadAffinity;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * Keeps the security reader off the CPU that makes most of its records. A real-time thread
 * that wakes goes back to the CPU it last ran on and takes it from whatever normal thread runs
 * there (the kernel moves it only away from a higher real-time priority): when that is the CPU
 * of the busy program being traced, every microsecond the agent spends on a record is taken from
 * that program, while another CPU idles. Measured on 2 CPUs, an open loop with every open
 * chained: ×1.70 with the reader where it last ran, against the C floor's ×1.27 (issue 12).
 *
 * <p>Each record's header names the CPU its program ran on; the reader counts them (one array
 * increment per record) and, once per window, leaves out of its own CPU set the CPU that made at
 * least half of a busy window's records, and takes it back when no CPU dominates or the load is
 * light. A change is one sched_setaffinity of the reader's own thread, never more than once per window.
 * Used only from the reader's thread (the set it changes is its own). A move allocates (the new
 * set, the status line), at most once per window, never per record.
 *
 * <p>Off by default: on a kernel without preemption the other CPU keeps even a real-time reader
 * waiting while it runs kernel code (the syncer's fsync, other processes), and kernel → appended
 * p99 rose from 1.45 to 23 ms while the loop's cost fell from ×1.399 to ×1.343
 * (bench/results/overhead-20261207-122938.md).
 */
final class ReaderPlacement {
    static final long WINDOW_NS = 100_000_000L;
    /** Below this many records per window the reader's work is too small to matter where it runs. */
    static final int BUSY_RECORDS = 2_000;
    private static final int CPU_OFFSET = RecordLayout.HEADER.field("cpu").offset();

    private final ThreadAffinity affinity = new ThreadAffinity();
    private final BitSet allowed;
    private final int[] counts;
    private int total;
    private long windowStart;
    private int avoided = -1;
    private volatile String state;

    /** On the reader's thread: the CPUs it may use now are the ones it will ever use. */
    ReaderPlacement(long nowNs) {
        BitSet a = affinity.allowed();
        allowed = a;
        counts = new int[a == null ? 0 : a.length()];
        windowStart = nowNs;
        state = a == null ? "where the kernel puts it (" + ThreadAffinity.problem() + ")"
                : a.cardinality() < 2 ? "on CPU " + a + " (the only one it may use)" : "on any of CPUs " + list(a);
    }

    void count(RecordView r) {
        long cpu = r.u32(CPU_OFFSET);
        if (cpu < counts.length) {
            counts[(int) cpu]++;
            total++;
        }
    }

    /** After a drain: at the end of a window, moves the reader if the busiest CPU changed. */
    void endOfBatch(long nowNs) {
        if (nowNs - windowStart < WINDOW_NS || counts.length == 0) {
            return;
        }
        int hot = avoided >= 0 ? avoided : 0;  // on a tie, the CPU already avoided stays so
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > counts[hot]) {
                hot = c;
            }
        }
        int share = total == 0 ? 0 : (int) (100L * counts[hot] / total);
        int next = decide(hot, share);
        if (next != avoided) {
            move(next, share);
        }
        Arrays.fill(counts, 0);
        total = 0;
        windowStart = nowNs;
    }

    private int decide(int hot, int share) {
        if (total < BUSY_RECORDS || allowed.cardinality() < 2 || !allowed.get(hot)) {
            return -1;
        }
        if (share >= 50) {
            return hot;
        }
        return avoided >= 0 && counts[avoided] * 4L >= total ? avoided : -1;  // hysteresis: keep it while it makes 1/4
    }

    private void move(int cpu, int share) {
        BitSet to = (BitSet) allowed.clone();
        if (cpu >= 0) {
            to.clear(cpu);
        }
        String problem = affinity.restrict(to);
        if (problem != null) {
            state = "where the kernel puts it (" + problem + ")";
            return;
        }
        avoided = cpu;
        state = cpu < 0 ? "on any of CPUs " + list(allowed)
                : "on CPUs " + list(to) + ", not " + cpu + " (" + share + " % of its records came from CPU " + cpu + ")";
    }

    /** For the status file: where the reader runs and why. */
    String state() {
        return state;
    }

    private static String list(BitSet s) {
        return s.toString().replaceAll("[{} ]", "");
    }
}
