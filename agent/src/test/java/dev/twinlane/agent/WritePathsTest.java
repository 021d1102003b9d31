package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directories the launcher lets the agent write beneath, and the plan it is handed. */
class WritePathsTest {
    @TempDir
    Path tmp;
    private AgentConfig c;
    private Path status;

    @BeforeEach
    void setUp() {
        c = AgentConfig.defaults();
        c.dataDir = tmp.resolve("data");
        status = tmp.resolve("run/agent.status");
    }

    @Test
    void withoutAPolicyTheDataAndStatusDirectories() {
        assertEquals(List.of(c.dataDir, tmp.resolve("run")), WritePaths.of(c, status));
    }

    @Test
    void aPolicyAddsItsStateSocketAndPinDirectoriesEachOnceNoneBeneathAnother() {
        c.policy = new PolicySettings();
        c.policy.controlSocket = tmp.resolve("data/../run/control.sock");   // normalised, the status directory
        c.policy.pinDir = Path.of("/sys/fs/bpf/twinlane-x");
        assertEquals(List.of(Path.of("/sys/fs/bpf/twinlane-x"), c.dataDir, tmp.resolve("run")), WritePaths.of(c, status),
                "the policy state (DATA/state/policy) is beneath the data directory");
        c.policy.stateDir = tmp.resolve("state");
        assertEquals(List.of(Path.of("/sys/fs/bpf/twinlane-x"), c.dataDir, tmp.resolve("run"), tmp.resolve("state")),
                WritePaths.of(c, status));
        assertEquals(List.of(Path.of("/sys/fs/bpf/twinlane-x"), tmp), WritePaths.of(c, tmp.resolve("agent.status")),
                "the rest beneath the status directory");
    }

    @Test
    void thePlanCreatesTheDirectoriesAndNamesTheTemporaryOne() {
        List<String> plan = WritePaths.plan(c, false, status);
        assertEquals(List.of("plan 1", "jvm -Djava.io.tmpdir=" + tmp.resolve("run/tmp"), "jvm -Djna.tmpdir=" + tmp.resolve("run/tmp"),
                "write " + c.dataDir, "write " + tmp.resolve("run")), plan);
        assertTrue(Files.isDirectory(c.dataDir) && Files.isDirectory(tmp.resolve("run/tmp")));
        assertEquals(List.of("plan 1", "off"), WritePaths.plan(c, true, status));
    }

    @Test
    void aGrantOverTheAgentsOwnCodeIsRefused() {
        Path javaHome = Path.of(System.getProperty("java.home"));
        c.dataDir = javaHome.getParent();
        List<String> plan = WritePaths.plan(c, false, status);
        assertEquals(2, plan.size(), plan.toString());
        assertTrue(plan.get(1).startsWith("none " + javaHome.getParent() + " holds the agent's own code ("), plan.get(1));
        assertTrue(Files.notExists(tmp.resolve("run")), "nothing created");
    }
}
