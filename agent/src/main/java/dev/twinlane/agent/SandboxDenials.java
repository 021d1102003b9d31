package dev.twinlane.agent;

import io.micrometer.core.instrument.MeterRegistry;

import dev.twinlane.ingest.AuditStream;
import dev.twinlane.ingest.IngestException;
import dev.twinlane.ingest.SandboxDenialReader;
import dev.twinlane.router.Router;

/**
 * Sandboxed workloads' denials into the security lane: ingest's audit reader hands each to the
 * router. seccomp's audit records are emitted whatever the kernel's audit switch says; Landlock's
 * only while it is on. The agent leaves that system-wide switch alone unless
 * {@code sandbox_denials.enable_audit} says otherwise, and then turns it back off at its stop if
 * it was off; either way {@link #describe()} says what reaches the lane.
 */
final class SandboxDenials implements AutoCloseable {
    private final SandboxDenialReader reader;
    private final String unavailable;
    private final boolean auditTurnedOn;
    private final String auditState;

    private SandboxDenials(SandboxDenialReader reader, String unavailable, boolean auditTurnedOn, String auditState) {
        this.reader = reader;
        this.unavailable = unavailable;
        this.auditTurnedOn = auditTurnedOn;
        this.auditState = auditState;
    }

    /** Starts reading (unless off); a host where the audit stream cannot be read is said, not fatal. */
    static SandboxDenials start(AgentConfig c, Router router, MeterRegistry registry) {
        if (!c.sandboxDenials) {
            return new SandboxDenials(null, "off (sandbox_denials.enabled: false)", false, "");
        }
        boolean turnedOn = false;
        String state;
        try {
            int enabled = AuditStream.enabled();
            if (enabled == 0 && c.enableAudit) {
                AuditStream.setEnabled(1);
                turnedOn = true;
                enabled = 1;
            }
            state = enabled == 0
                    ? "landlock: no (the kernel's audit is off; sandbox_denials.enable_audit: true turns it on while the agent runs)"
                    : "landlock: yes (kernel audit on" + (turnedOn ? ", turned on by this agent until it stops)" : ")");
        } catch (IngestException e) {
            state = "landlock: unknown (" + e.getMessage() + ")";
        }
        try {
            SandboxDenialReader r = SandboxDenialReader.start(router::publishSandboxDenial);
            r.bind(registry);
            return new SandboxDenials(r, null, turnedOn, state);
        } catch (IngestException e) {
            if (turnedOn) {
                AuditStream.setEnabled(0);
            }
            return new SandboxDenials(null, "unavailable (" + e.getMessage() + ")", false, "");
        }
    }

    /** With no agent running: what a started one would get from this kernel. */
    static String probe() {
        try {
            return AuditStream.enabled() == 0
                    ? "sandbox denials: seccomp would reach the security lane; landlock would not (the kernel's audit is off;"
                            + " sandbox_denials.enable_audit: true turns it on while the agent runs)"
                    : "sandbox denials: seccomp and landlock would reach the security lane (the kernel's audit is on)";
        } catch (IngestException e) {
            return "sandbox denials: unknown (" + e.getMessage() + ")";
        }
    }

    /** One status line: what reaches the security lane, and why not the rest. */
    String describe() {
        if (reader == null) {
            return "sandbox denials: " + unavailable;
        }
        String failed = reader.failure();
        return failed != null ? "sandbox denials: stopped (" + failed + ")"
                : "sandbox denials: from the kernel's audit stream; seccomp: yes (profiles with 'log denials'); " + auditState;
    }

    /** A status problem, or null. */
    String problem() {
        String failed = reader == null ? null : reader.failure();
        return failed == null ? null : "problem: sandbox denials are no longer read: " + failed;
    }

    @Override
    public void close() throws InterruptedException {
        if (reader != null) {
            reader.close();   // Landlock denials still waiting for their SYSCALL record leave now, before the router's last drain
        }
        if (auditTurnedOn) {
            try {
                AuditStream.setEnabled(0);
            } catch (IngestException e) {
                System.err.println("twinlane: the kernel's audit, turned on by sandbox_denials.enable_audit, could not be turned off: "
                        + e.getMessage());
            }
        }
    }
}
