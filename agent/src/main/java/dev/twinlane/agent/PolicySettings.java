package dev.twinlane.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The configuration's {@code policy:} section. Present, it turns the policy plane on: pinned
 * policy maps and links, the configured policy applied at start, the deadman heartbeat, the
 * deny-rate revert, the tamper check and the control socket. Absent (and in {@link AgentConfig#defaults()}),
 * nothing is pinned and no socket is opened, as before.
 */
final class PolicySettings {
    static final Path DEFAULT_PIN_DIR = Path.of("/sys/fs/bpf/twinlane");

    Path pinDir = DEFAULT_PIN_DIR;
    /** Directory of trusted *.pub keys; null: none (only unsigned files, and only without require_signature). */
    Path trustedKeys;
    boolean requireSignature;
    /** Version counter and history; null: DATA/state/policy. */
    Path stateDir;
    /** 0 disables the deadman; the heartbeat renews every ttl/3. */
    Duration deadmanTtl = Duration.ofSeconds(30);
    /** Policy denials per second that, sustained for {@link #denyRateWindow}, revert to audit-only; 0 disables. */
    long denyRateRevert;
    Duration denyRateWindow = Duration.ofSeconds(10);
    /** How often the policy maps are read back and compared with the policy applied; 0 disables. */
    Duration tamperCheck = Duration.ofSeconds(5);
    /** A policy file or bundle applied at start (when above the last applied version); null: none. */
    Path file;
    Path controlSocket = ControlServer.DEFAULT_PATH;
    /** Signed whitelist entries (cgroups allowed for 24 h) and the P-256 public key they verify with; null: none. */
    Path whitelist;
    Path whitelistKey;

    Path stateDir(Path dataDir) {
        return stateDir != null ? stateDir : dataDir.resolve("state").resolve("policy");
    }

    static PolicySettings read(ConfigReader p) {
        PolicySettings s = new PolicySettings();
        s.pinDir = Path.of(p.text("pin_dir", s.pinDir.toString()));
        s.trustedKeys = path(p.text("trusted_keys", null));
        s.requireSignature = p.flag("require_signature", false);
        s.stateDir = path(p.text("state_dir", null));
        s.deadmanTtl = Duration.ofNanos(p.nanos("deadman", s.deadmanTtl.toNanos(), 0, Duration.ofHours(24).toNanos()));
        if (!s.deadmanTtl.isZero() && s.deadmanTtl.compareTo(Duration.ofMillis(300)) < 0) {
            p.problem("deadman", "must be 0 (off) or at least 300ms (the heartbeat renews every third of it)");
        }
        s.denyRateRevert = p.number("deny_rate_revert", 0, 0, 100_000_000);
        s.denyRateWindow = Duration.ofNanos(p.nanos("deny_rate_window", s.denyRateWindow.toNanos(),
                1_000_000_000L, Duration.ofHours(1).toNanos()));
        s.tamperCheck = Duration.ofNanos(p.nanos("tamper_check", s.tamperCheck.toNanos(), 0, Duration.ofHours(1).toNanos()));
        if (!s.tamperCheck.isZero() && s.tamperCheck.compareTo(Duration.ofMillis(100)) < 0) {
            p.problem("tamper_check", "must be 0 (off) or at least 100ms (each check walks every map of the policy in force)");
        }
        s.file = path(p.text("file", null));
        s.controlSocket = Path.of(p.text("control_socket", s.controlSocket.toString()));
        s.whitelist = path(p.text("whitelist", null));
        s.whitelistKey = path(p.text("whitelist_key", null));
        if ((s.whitelist == null) != (s.whitelistKey == null)) {
            p.problem(s.whitelist == null ? "whitelist_key" : "whitelist", "whitelist and whitelist_key go together"
                    + " (the entries and the ECDSA P-256 public key they are signed for)");
        }
        p.rejectUnknown();
        return s;
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }
}
