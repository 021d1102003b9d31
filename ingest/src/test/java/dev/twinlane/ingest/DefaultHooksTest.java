package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.ingest.HookStatus.Capability;

/**
 * The defaults attach no program that runs on every system call or on every open of the host
 * (issue 12: a default agent must cost an open+close loop at most 5 %): syscall sampling is off
 * and sys_enter/sys_exit are not attached; where the BPF LSM cannot see opens, the openat
 * tracepoints are attached only when asked for. The status says both. Real kernel; needs root.
 */
class DefaultHooksTest {

    @Test
    void theDefaultsAttachNothingThatRunsOnEverySyscallOrOpen() throws Exception {
        Root.require();
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        try (KernelIngest kernel = KernelIngest.start(new IngestConfig().audit(auditTo(audit)))) {
            String log = audit.toString(StandardCharsets.UTF_8);
            for (String p : List.of("tl_sys_enter", "tl_sys_exit", "tl_openat", "tl_openat2")) {
                assertFalse(log.contains("\"program\":\"" + p + "\""), p + " was loaded or attached: " + log);
            }
            assertTrue(log.contains("\"program\":\"tl_exec\""), log);
            HookStatus sampling = hook(kernel, "syscall latency");
            assertEquals(Capability.OFF, sampling.capability());
            assertTrue(sampling.reason().contains("syscall_sample_rate"), sampling.describe());
            HookStatus open = hook(kernel, "file_open");
            if (!open.via().startsWith("lsm/")) {
                assertEquals(Capability.NONE, open.capability(), open.describe());
                assertTrue(open.reason().contains("kernel.open_tracepoint"), open.describe());
            }
        }
    }

    @Test
    void askingForThemAttachesThem() throws Exception {
        Root.require();
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        try (KernelIngest kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(100)
                .openTracepoint(true).audit(auditTo(audit)))) {
            String log = audit.toString(StandardCharsets.UTF_8);
            for (String p : List.of("tl_sys_enter", "tl_sys_exit")) {
                assertTrue(log.contains("\"program\":\"" + p + "\""), p + " not attached: " + log);
            }
            HookStatus open = hook(kernel, "file_open");
            assertTrue(open.via().startsWith("lsm/") || open.via().contains("sys_enter_openat"), open.describe());
            assertTrue(kernel.hooks().stream().noneMatch(h -> h.hook().equals("syscall latency")));
        }
    }

    private static AuditLog auditTo(ByteArrayOutputStream out) {
        return new AuditLog(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private static HookStatus hook(KernelIngest kernel, String name) {
        return kernel.hooks().stream().filter(h -> h.hook().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no status for " + name + ": " + kernel.hooks()));
    }
}
