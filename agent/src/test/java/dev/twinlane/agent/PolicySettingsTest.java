package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.UsageException;

/** The configuration's policy: section (no kernel needed). */
class PolicySettingsTest {
    @TempDir
    Path tmp;

    private AgentConfig load(String yaml) throws Exception {
        return AgentConfig.load(Files.writeString(tmp.resolve("twinlane.yaml"), yaml));
    }

    @Test
    void withoutTheSectionThePolicyPlaneIsOff() throws Exception {
        assertNull(load("mode: audit\n").policy);
        assertNull(AgentConfig.defaults().policy);
    }

    @Test
    void anEmptySectionTurnsItOnWithTheDefaults() throws Exception {
        PolicySettings p = load("policy:\n").policy;
        assertEquals(Path.of("/sys/fs/bpf/twinlane"), p.pinDir);
        assertEquals(Duration.ofSeconds(30), p.deadmanTtl);
        assertEquals(0, p.denyRateRevert);
        assertEquals(Duration.ofSeconds(5), p.tamperCheck);
        assertEquals(Path.of("/data/state/policy"), p.stateDir(Path.of("/data")));
        assertEquals(ControlServer.DEFAULT_PATH, p.controlSocket);
    }

    @Test
    void everySettingIsRead() throws Exception {
        PolicySettings p = load("""
                policy:
                  pin_dir: /sys/fs/bpf/tl2
                  trusted_keys: /etc/twinlane/keys
                  require_signature: true
                  state_dir: /var/lib/tl/policy
                  deadman: 0
                  deny_rate_revert: 500
                  deny_rate_window: 5s
                  tamper_check: 2s
                  file: /etc/twinlane/policy.bundle
                  control_socket: /run/tl2/control.sock
                """).policy;
        assertEquals(Path.of("/sys/fs/bpf/tl2"), p.pinDir);
        assertEquals(Path.of("/etc/twinlane/keys"), p.trustedKeys);
        assertTrue(p.requireSignature);
        assertEquals(Path.of("/var/lib/tl/policy"), p.stateDir(Path.of("/data")));
        assertEquals(Duration.ZERO, p.deadmanTtl);
        assertEquals(500, p.denyRateRevert);
        assertEquals(Duration.ofSeconds(5), p.denyRateWindow);
        assertEquals(Duration.ofSeconds(2), p.tamperCheck);
        assertEquals(Path.of("/etc/twinlane/policy.bundle"), p.file);
        assertEquals(Path.of("/run/tl2/control.sock"), p.controlSocket);
    }

    @Test
    void unknownKeysAndBadValuesAreErrors() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> load("""
                policy:
                  requre_signature: true
                  deadman: 100ms
                  deny_rate_revert: lots
                  tamper_check: 10ms
                """));
        assertTrue(e.getMessage().contains("policy.requre_signature: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("policy.deadman: must be 0 (off) or at least 300ms"), e.getMessage());
        assertTrue(e.getMessage().contains("policy.deny_rate_revert: must be a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("policy.tamper_check: must be 0 (off) or at least 100ms"), e.getMessage());
    }
}
