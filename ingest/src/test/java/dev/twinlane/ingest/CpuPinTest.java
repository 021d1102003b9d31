package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The kernel really keeps the thread off (or on) the CPU asked, and the old affinity comes back. */
class CpuPinTest {
    private static String allowed() throws Exception {
        return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow().split(":")[1].trim();
    }

    @Test
    void awayFromACpuNeverRunsThereAndRestoresItsSetAfter() throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 CPUs");
        String before = allowed();
        int cpu = CpuPin.currentCpu();
        try (CpuPin away = CpuPin.awayFrom(cpu)) {
            for (int i = 0; i < 1000; i++) {
                Thread.yield();
                assertNotEquals(cpu, CpuPin.currentCpu(), "ran on the CPU it was kept from");
            }
            assertNotEquals(before, allowed());
        }
        assertEquals(before, allowed());
    }

    @Test
    void hereStaysOnTheCurrentCpu() throws Exception {
        String before = allowed();
        try (CpuPin here = CpuPin.here()) {
            assertEquals(String.valueOf(CpuPin.currentCpu()), allowed());
        }
        assertEquals(before, allowed());
    }
}
