package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The calling thread's CPU set, read and changed through the kernel, as /proc/thread-self/status shows it. */
class ThreadAffinityTest {
    @Test
    void readsAndRestrictsTheCallingThreadOnly() throws Exception {
        AtomicReference<String> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ThreadAffinity a = new ThreadAffinity();
                BitSet all = a.allowed();
                String before = allowedList();
                BitSet one = new BitSet();
                one.set(all.nextSetBit(0));
                String problem = a.restrict(one);
                out.set(all.cardinality() + "|" + before + "|" + problem + "|" + allowedList() + "|" + a.allowed()
                        + "|" + a.restrict(new BitSet()));
            } catch (Exception e) {
                out.set(e.toString());
            }
        });
        String mine = allowedList();
        t.start();
        t.join();
        String[] f = out.get().split("\\|");
        assertEquals(Runtime.getRuntime().availableProcessors(), Integer.parseInt(f[0]), out.get());
        assertEquals(mine, f[1], "a new thread starts with its creator's set");
        assertNull("null".equals(f[2]) ? null : f[2]);
        int first = Integer.parseInt(f[3]);
        assertEquals("{" + first + "}", f[4], "read back as set");
        assertEquals("no CPU to run on", f[5]);
        assertEquals(mine, allowedList(), "the calling thread's set only");
    }

    private static String allowedList() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list");
    }
}
