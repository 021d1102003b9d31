package dev.twinlane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The reader's real CPU set (the kernel's, read back from /proc/thread-self/status) leaves out
 * the CPU that made most of a busy window's records, and gets it back when the load spreads or
 * drops. Runs on a thread of its own: the set it changes is the calling thread's.
 */
class ReaderPlacementTest {
    private static final long W = ReaderPlacement.WINDOW_NS;

    @Test
    void theReaderLeavesTheBusiestCpuAndTakesItBack() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 CPUs to move between");
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                out.set(steps());
            } catch (Throwable e) {
                out.set(e);
            }
        });
        t.start();
        t.join();
        if (out.get() instanceof Throwable) {
            throw new AssertionError(out.get());
        }
        @SuppressWarnings("unchecked")
        List<String> s = (List<String>) out.get();
        assertEquals("0-1", s.get(0), "at the start, every CPU");
        assertEquals("0", s.get(1), "CPU 1 made 90 % of a busy window: left out");
        assertTrue(s.get(2).contains("not 1 (90 % of its records came from CPU 1)"), s.get(2));
        assertEquals("0", s.get(3), "CPU 1 makes as many as CPU 0: still kept out");
        assertEquals("1", s.get(4), "CPU 0 made 80 %: the reader moves to CPU 1");
        assertEquals("0-1", s.get(5), "a light window: every CPU again");
        assertTrue(s.get(6).startsWith("on any of CPUs 0,1"), s.get(6));
    }

    /** Restricted to CPUs 0 and 1 first, so that the test reads the same on any host. */
    private static List<String> steps() throws Exception {
        new dev.twinlane.ingest.ThreadAffinity().restrict(java.util.BitSet.valueOf(new long[] {0b11}));
        List<String> seen = new ArrayList<>();
        long now = 0;
        ReaderPlacement p = new ReaderPlacement(now);
        seen.add(allowed());
        feed(p, 1, 9_000, 0, 1_000);
        p.endOfBatch(now += W);
        seen.add(allowed());
        seen.add(p.state());
        feed(p, 1, 5_000, 0, 5_000);
        p.endOfBatch(now += W);
        seen.add(allowed());
        feed(p, 0, 8_000, 1, 2_000);
        p.endOfBatch(now += W);
        seen.add(allowed());
        feed(p, 0, 100, 1, 100);
        p.endOfBatch(now += W);
        seen.add(allowed());
        seen.add(p.state());
        return seen;
    }

    private static void feed(ReaderPlacement p, int cpuA, int a, int cpuB, int b) {
        for (int i = 0; i < a + b; i++) {
            p.count(record(i < a ? cpuA : cpuB));
        }
    }

    private static RecordView record(int cpu) {
        byte[] r = new byte[RecordLayout.HEADER.size()];
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putInt(RecordLayout.HEADER.field("cpu").offset(), cpu);
        return new RecordView().wrap(r, 0, r.length);
    }

    private static String allowed() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list");
    }
}
