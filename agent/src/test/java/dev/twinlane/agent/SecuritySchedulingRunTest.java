package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent (a child JVM) schedules its security ring reader as configured, read back from
 * the kernel (/proc/PID/task/T/stat: policy and nice), and its status file says which: SCHED_FIFO 1
 * by default, normal at nice -20 with security.realtime_priority 0 and security.nice -20. Needs root.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecuritySchedulingRunTest {
    @TempDir
    Path tmp;

    @Test
    void byDefaultTheReaderIsRealTime() throws Exception {
        String[] policyNice = run(null);
        assertEquals("1 0", policyNice[0], "router-security: SCHED_FIFO (1), nice 0");
        assertTrue(policyNice[1].contains("security path scheduling (ring reader, lane, log syncer): SCHED_FIFO 1"), policyNice[1]);
    }

    @Test
    void withRealtimePriorityZeroANiceValueIsUsedInstead() throws Exception {
        String[] policyNice = run("security:\n  realtime_priority: 0\n  nice: -20\n");
        assertEquals("0 -20", policyNice[0], "router-security: SCHED_OTHER (0), nice -20");
        assertTrue(policyNice[1].contains("security path scheduling (ring reader, lane, log syncer): normal, nice -20"), policyNice[1]);
    }

    /** The router-security thread's "policy nice", and the status file's scheduling line. */
    private String[] run(String config) throws Exception {
        PipelineTest.requireRoot();
        Path err = tmp.resolve("agent.err");
        Path status = tmp.resolve("agent.status");
        String[] args = config == null
                ? new String[] {"run", "--data-dir", tmp.resolve("data").toString(), "--duration", "3s"}
                : new String[] {"run", "--data-dir", tmp.resolve("data").toString(), "--duration", "3s",
                        "--config", Files.writeString(tmp.resolve("config.yaml"), config).toString()};
        Process agent = AgentProcess.start(err, status, args);
        String thread;
        String line = "";
        try {
            AgentProcess.awaitLine(agent, err, "twinlane: mode ");
            thread = routerSecurity(agent.pid());
            for (int i = 0; i < 30 && line.isEmpty(); i++) {
                if (Files.exists(status)) {
                    line = Files.readString(status).lines().filter(l -> l.startsWith("security path scheduling"))
                            .findFirst().orElse("");
                }
                Thread.sleep(100);
            }
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stopped");
        } finally {
            agent.destroyForcibly();
        }
        assertEquals(0, agent.exitValue(), Files.readString(err));
        return new String[] {thread, line};
    }

    private static String routerSecurity(long pid) throws Exception {
        for (int i = 0; i < 50; i++) {
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : tasks.toList()) {
                    if (Files.readString(t.resolve("comm")).trim().equals("router-security")) {
                        String stat = Files.readString(t.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        return f[38] + " " + f[16];   // policy, nice
                    }
                }
            }
            Thread.sleep(100);
        }
        return "no router-security thread";
    }
}
