package dev.twinlane.agent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.ingest.lab.KernelLab;

/**
 * The whole agent inside a Debian 6.1 guest with the BPF LSM active (issue 5):
 * `twinlane run` enforces a deny rule through lsm/file_open, records the
 * denial, and the security log it wrote there verifies with `twinlane verify`.
 * Skipped only when the kernel lab truly cannot run (kernel-lab exit 77).
 */
class AgentLabTest {
    private static final String MAIN = "dev.twinlane.agent.Main";

    @Test
    void theAgentEnforcesInTheGuestAndItsSecurityLogVerifies() throws Exception {
        try (KernelLab lab = KernelLab.prepare()) {
            String twinlane = lab.javaShell(MAIN);
            String script = String.join("\n",
                    "D=/tmp/tl; mkdir -p $D; echo secret > /tmp/denied; echo fine > /tmp/allowed",
                    twinlane + " run --data-dir $D --deny-file /tmp/denied --print security > /tmp/records 2> /tmp/agent.err &",
                    "A=$!",
                    "for i in $(seq 1 120); do grep -q 'twinlane: mode' /tmp/agent.err && break; sleep 1; done",
                    "grep 'twinlane: mode' /tmp/agent.err || { echo 'FAIL agent did not start'; cat /tmp/agent.err; }",
                    "if cat /tmp/denied > /dev/null 2> /tmp/cat.err; then echo 'FAIL denied file opened';"
                            + " else echo \"PASS denied open refused: $(cat /tmp/cat.err)\"; fi",
                    "cat /tmp/allowed > /dev/null && echo 'PASS allowed file opens'",
                    "sleep 1; kill -TERM $A; wait $A; echo \"agent exit $?\"",
                    "grep 'twinlane: security' /tmp/agent.err",
                    "grep '\"kind\":\"file_open\"' /tmp/records | grep '\"path\":\"/tmp/denied\"' | grep -q '\"decision\":\"deny\"'"
                            + " && echo 'PASS denial recorded'",
                    twinlane + " verify --wal $D/security --key $D/keys/security.key --seal $D/security/seal.latest"
                            + " --seal-pub $D/keys/seal.pub; V=$?; echo \"verify exit $V\"; exit $V");
            KernelLab.Run run = lab.run("6.1", false, List.of("/bin/sh", "-c", script));
            List<String> out = run.lines();
            assertTrue(out.stream().anyMatch(l -> l.contains("enforce: file_open[lsm/file_open]")),
                    "the agent states file_open as enforced by the LSM");
            assertTrue(out.stream().anyMatch(l -> l.startsWith("PASS denied open refused") && l.contains("Operation not permitted")),
                    "the denied open failed with EPERM");
            assertTrue(out.contains("PASS allowed file opens"));
            assertTrue(out.contains("PASS denial recorded"), "the denial is a security record");
            assertTrue(out.contains("agent exit 143") || out.contains("agent exit 0"), "the agent stopped on SIGTERM");
            assertTrue(out.stream().anyMatch(l -> l.startsWith("OK")), "verify printed OK");
            assertTrue(out.contains("verify exit 0"), "verify exit status");
            assertEquals(0, run.status(), "the guest script ends with verify's exit status");
        }
    }
}
