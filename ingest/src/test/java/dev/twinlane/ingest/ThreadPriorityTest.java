package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The kernel really schedules the thread SCHED_FIFO at the priority asked (read back from /proc). */
class ThreadPriorityTest {
    /** Fields 40 and 41 of /proc/thread-self/stat: rt_priority and policy (after the comm in parentheses). */
    private static int[] priorityAndPolicy() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new int[] {Integer.parseInt(f[37]), Integer.parseInt(f[38])};
    }

    private static String[] inThread(int priority) throws Exception {
        AtomicReference<String[]> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                String problem = ThreadPriority.realtime(priority);
                int[] pp = priorityAndPolicy();
                out.set(new String[] {problem, String.valueOf(pp[0]), String.valueOf(pp[1])});
            } catch (Exception e) {
                out.set(new String[] {e.toString(), "-1", "-1"});
            }
        });
        t.start();
        t.join();
        return out.get();
    }

    @Test
    void theThreadRunsSchedFifoAtThePriorityAsked() throws Exception {
        Root.require();
        String[] r = inThread(3);
        assertNull(r[0]);
        assertEquals("3", r[1], "rt_priority");
        assertEquals("1", r[2], "policy SCHED_FIFO");
        System.out.println("thread priority: SCHED_FIFO rt_priority " + r[1]);
    }

    /** Field 19 of /proc/thread-self/stat: nice. */
    private static int niceOf() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    }

    @Test
    void withoutRealTimeTheThreadGetsTheNiceValueAskedAndOnlyIt() throws Exception {
        Root.require();
        AtomicReference<String> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                String problem = ThreadPriority.apply(0, -20);
                out.set(problem + " " + niceOf() + " " + priorityAndPolicy()[1]);
            } catch (Exception e) {
                out.set(e.toString());
            }
        });
        t.start();
        t.join();
        assertEquals("null -20 0", out.get(), "problem, nice, policy SCHED_OTHER");
        assertEquals(0, niceOf(), "the calling thread keeps its nice value");
        assertEquals("nice 20 is not in -20..19", ThreadPriority.apply(0, 20));
    }

    @Test
    void zeroLeavesNormalSchedulingAndOutOfRangeIsOneLine() throws Exception {
        String[] r = inThread(0);
        assertNull(r[0]);
        assertEquals("0", r[2], "policy SCHED_OTHER");
        String problem = ThreadPriority.realtime(100);
        assertTrue(problem.equals("real-time priority 100 is not in 1..99"), problem);
    }
}
