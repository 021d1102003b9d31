package dev.twinlane.ingest;

import static dev.twinlane.ingest.PolicyNet.awaitConnects;
import static dev.twinlane.ingest.PolicyNet.assertRefused;
import static dev.twinlane.ingest.PolicyNet.server;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Enforcement while no agent runs: the cgroup programs' links and the policy maps are pinned,
 * so closing the agent's objects (what a crash or a stop does) leaves the policy enforced; a
 * restarted agent takes the pins over; removing the pins ends it. Needs root.
 */
class PinnedEnforcementTest {
    private static IngestConfig config(Path pins) {
        return new IngestConfig().pinDir(pins).syscallSampleRate(0)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream())));
    }

    @Test
    void aPinnedPolicyIsEnforcedWhileNoAgentRunsAndARestartedAgentTakesItOver() throws Exception {
        Root.require();
        Path pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        try (ServerSocket server = server("127.77.20.5")) {
            try {
                try (KernelIngest agent = KernelIngest.start(config(pins))) {
                    agent.policyApplier().apply(Policies.enforce(7, "deny:\n  network:\n    - cidr: 127.77.20.0/24\n"));
                    assertRefused(server);
                }
                // The agent's objects, links and map fds are closed: only the pins hold the programs.
                assertRefused(server);
                assertEquals(4, PinDir.prepare(pins).linkPins().size(), "connect4/6 and bind4/6 pinned");
                try (KernelIngest restarted = KernelIngest.start(config(pins))) {
                    assertEquals(7, restarted.policyApplier().inForce().version(), "the restarted agent finds the policy");
                    assertRefused(server);
                    assertEquals(4, PinDir.prepare(pins).linkPins().size(), "the old links' pins were replaced");
                    restarted.policyApplier().apply(Policies.enforce(8, ""));
                    awaitConnects(server, 2000);
                    restarted.policyApplier().apply(Policies.enforce(9, "deny:\n  network:\n    - cidr: 127.77.20.0/24\n"));
                }
                assertRefused(server);
            } finally {
                PinDir.remove(pins);
            }
            awaitConnects(server, 2000);  // nothing is left attached (once the kernel frees the unpinned links)
        }
    }
}
