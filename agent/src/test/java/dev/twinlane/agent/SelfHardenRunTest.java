package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;

/**
 * The real agent (a child JVM) hardens itself after start-up: every one of its threads carries the
 * seccomp filter, status says so, and the end-to-end path still works (exec records of processes
 * started meanwhile reach a log that verifies); --no-self-harden leaves it off. That the filter
 * refuses a shell is SelfHardeningTest's (sandbox module). Needs root.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SelfHardenRunTest {
    @TempDir
    Path tmp;

    @Test
    void theHardenedAgentFiltersEveryThreadAndStillLogs() throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve("data");
        Path err = tmp.resolve("agent.err");
        Path status = tmp.resolve("agent.status");
        Process agent = AgentProcess.start(err, status, "run", "--data-dir", data.toString(), "--duration", "4s");
        long child;
        List<Integer> seccomp;
        boolean statusLine;
        try {
            AgentProcess.awaitLine(agent, err, "twinlane: self-hardening: ");
            child = PipelineTest.spawn("/bin/sh", "-c", "exit 0");
            seccomp = seccompModes(agent.pid());
            statusLine = awaitStatus(status, "self-hardening: seccomp on every thread (TSYNC)");
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stopped");
        } finally {
            agent.destroyForcibly();
        }
        String log = Files.readString(err);
        assertEquals(0, agent.exitValue(), log);
        assertTrue(log.contains("twinlane: self-hardening: seccomp on every thread (TSYNC) denies execve,"), log);
        assertTrue(!seccomp.isEmpty() && seccomp.stream().allMatch(m -> m == 2), "Seccomp: 2 on every thread: " + seccomp);
        assertTrue(statusLine, "the status file (what ./twinlane status prints) says the filter holds");
        assertVerifiedLogHoldsExec(data, child);
    }

    /** The security log under DATA verifies and holds the exec record of process {@code tgid}. */
    static void assertVerifiedLogHoldsExec(Path data, long tgid) throws Exception {
        ChainVerifier.Report report = new ChainVerifier(KeyRing.load(data.resolve("keys/security.key")),
                SealKey.loadPublic(data.resolve("keys/seal.pub"))).verify(data.resolve("security"), null);
        assertTrue(report.ok(), report.toString());
        RecordView v = new RecordView();
        assertTrue(LogContents.security(data, KeyRing.load(data.resolve("keys/security.key"))).stream()
                .filter(e -> e.kind() == RecordKind.EXEC.code())
                .anyMatch(e -> v.wrap(e.payload(), 0, e.payload().length).number("tgid") == tgid), "the shell's exec record");
    }

    @Test
    void noSelfHardenLeavesItOff() throws Exception {
        PipelineTest.requireRoot();
        Path err = tmp.resolve("agent.err");
        Process agent = AgentProcess.start(err, tmp.resolve("agent.status"), "run", "--data-dir", tmp.resolve("data").toString(),
                "--duration", "2s", "--no-self-harden");
        try {
            AgentProcess.awaitLine(agent, err, "twinlane: self-hardening: ");
            assertTrue(seccompModes(agent.pid()).stream().allMatch(m -> m == 0));
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
        } finally {
            agent.destroyForcibly();
        }
        assertTrue(Files.readString(err).contains("twinlane: self-hardening: off (--no-self-harden)"));
    }

    /** Whether the status file, rewritten every second, shows the line within 3 s. */
    static boolean awaitStatus(Path status, String line) throws Exception {
        for (int i = 0; i < 30; i++) {
            if (Files.exists(status) && Files.readString(status).contains(line)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The Seccomp: field of /proc/PID/task/T/status for each thread (0 none, 2 filter). */
    private static List<Integer> seccompModes(long pid) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.map(t -> {
                try {
                    String s = Files.readString(t.resolve("status"));
                    int at = s.indexOf("\nSeccomp:\t") + "\nSeccomp:\t".length();
                    return Integer.parseInt(s.substring(at, s.indexOf('\n', at)));
                } catch (java.io.IOException e) {
                    return -1;  // the thread ended meanwhile
                }
            }).filter(m -> m >= 0).toList();
        }
    }
}
