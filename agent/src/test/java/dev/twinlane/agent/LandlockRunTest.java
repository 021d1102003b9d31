package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.PinDir;
import dev.twinlane.sandbox.WriteConfinement;

/**
 * The real agent started as ./twinlane run starts it: a first JVM writes the plan (run
 * --landlock-plan), the helper applies it and execs the agent's JVM. The agent logs as usual, and
 * its own JVM cannot create, mkdir, rename or unlink outside the plan's directories (EACCES) nor run
 * a shell (seccomp's EPERM); with --no-self-harden the same writes work; a claim of Landlock
 * without the rules is caught. Needs root and a kernel with Landlock (skipped, and said, without).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LandlockRunTest {
    @TempDir
    Path tmp;
    private Path data;
    private Path status;
    private Path outside;

    @BeforeEach
    void setUp() throws Exception {
        PipelineTest.requireRoot();
        data = tmp.resolve("data");
        status = tmp.resolve("run").resolve("agent.status");
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("existing"), "x");
        Files.writeString(outside.resolve("doomed"), "x");
    }

    @Test
    void theConfinedAgentLogsButCannotWriteOutsideItsDirectories() throws Exception {
        List<String> plan = plan("run", "--data-dir", data.toString(), "--duration", "4s");
        Path tmpDir = status.resolveSibling("tmp");
        assertEquals(List.of("plan 1", "jvm -Djava.io.tmpdir=" + tmpDir, "jvm -Djna.tmpdir=" + tmpDir,
                "write " + data, "write " + status.getParent()), plan);
        Path err = tmp.resolve("agent.err");
        Process agent = launch(err, "run", "--data-dir", data.toString(), "--duration", "4s");
        long child;
        try {
            AgentProcess.awaitLine(agent, err, "twinlane: self-hardening: ");
            child = PipelineTest.spawn("/bin/sh", "-c", "exit 0");
            assertTrue(SelfHardenRunTest.awaitStatus(status, " landlock: ABI "), "the status file (./twinlane status) names the Landlock ABI");
            assertTrue(agent.waitFor(90, TimeUnit.SECONDS), "the agent stopped");
        } finally {
            agent.destroyForcibly();
        }
        String log = Files.readString(err);
        Assumptions.assumeFalse(log.contains("landlock: not applied (this kernel has no Landlock")
                || log.contains("landlock: not applied (Landlock is built in but not enabled"), "skipped: " + log);
        assertEquals(0, agent.exitValue(), log);
        Matcher m = Pattern.compile("landlock: ABI (\\d+), writes only beneath " + Pattern.quote(data + ", "
                + status.getParent())).matcher(log);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 1, log);
        assertTrue(log.contains("twinlane: hardening trial in " + outside + ": create EACCES, mkdir EACCES, rename EACCES,"
                + " unlink EACCES, exec /bin/sh IOException Cannot run program \"/bin/sh\": error=1, Operation not permitted"), log);
        assertEquals(List.of("doomed", "existing"), list(outside), "nothing changed outside");
        SelfHardenRunTest.assertVerifiedLogHoldsExec(data, child);
    }

    @Test
    void withAPolicyItsPinsSocketAndStateAreGrantedAndWork() throws Exception {
        Path pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        Path config = tmp.resolve("twinlane.yml");
        Files.writeString(config, "policy:\n  pin_dir: " + pins + "\n  control_socket: " + tmp.resolve("sock/control.sock")
                + "\n  state_dir: " + tmp.resolve("pstate") + "\n");
        Path err = tmp.resolve("agent.err");
        try {
            String log = runToEnd(launch(err, "run", "--config", config.toString(), "--data-dir", data.toString(),
                    "--duration", "3s"), err);
            assertTrue(log.contains("writes only beneath " + pins + ", " + data + ", " + tmp.resolve("pstate") + ", "
                    + status.getParent() + ", " + tmp.resolve("sock")), log);
            assertTrue(Files.exists(pins.resolve("policy_active")) && Files.exists(pins.resolve("link_tl_connect4")),
                    "the policy maps and cgroup links pinned");
            assertTrue(log.contains("hardening trial in " + outside + ": create EACCES, mkdir EACCES"), log);
        } finally {
            PinDir.remove(pins);
        }
    }

    @Test
    void noSelfHardenLeavesTheWritesOpen() throws Exception {
        String[] args = {"run", "--data-dir", data.toString(), "--duration", "1s", "--no-self-harden"};
        List<String> plan = plan(args);
        assertEquals(List.of("plan 1", "off"), plan);
        String log = runToEnd(launch(tmp.resolve("agent.err"), args), tmp.resolve("agent.err"));
        assertTrue(log.contains("twinlane: self-hardening: off (--no-self-harden); landlock: not applied (--no-self-harden)"), log);
        assertTrue(log.contains("twinlane: hardening trial in " + outside + ": create ok, mkdir ok, rename ok, unlink ok,"
                + " exec /bin/sh ok"), log);
        assertEquals(List.of("created", "made", "renamed"), list(outside), "existing renamed, doomed unlinked");
    }

    @Test
    void aClaimOfLandlockWithoutItsRulesIsNotBelieved() throws Exception {
        String[] args = {"run", "--data-dir", data.toString(), "--duration", "1s"};
        ProcessBuilder pb = new ProcessBuilder(AgentProcess.command(status, args)).redirectError(tmp.resolve("agent.err").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(WriteConfinement.ENV, "abi=7 handled=0xfff2");
        String log = runToEnd(pb.start(), tmp.resolve("agent.err"));
        assertTrue(log.contains("; landlock: NOT in force (TWINLANE_LANDLOCK claims ABI 7, but a file could be created in "), log);
    }

    private List<String> plan(String... args) throws Exception {
        return AgentProcess.plan(tmp.resolve("plan.err"), status, args);
    }

    /** As ./twinlane starts it (AgentProcess), with the trial hook on. */
    private Process launch(Path err, String... args) throws Exception {
        return AgentProcess.start(err, status, List.of("-D" + HardeningTrial.PROPERTY + "=" + outside), args);
    }

    private static String runToEnd(Process agent, Path err) throws Exception {
        try {
            assertTrue(agent.waitFor(90, TimeUnit.SECONDS), "the agent stopped");
        } finally {
            agent.destroyForcibly();
        }
        String log = Files.readString(err);
        assertEquals(0, agent.exitValue(), log);
        return log;
    }

    private static List<String> list(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
