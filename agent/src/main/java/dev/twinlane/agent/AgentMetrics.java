package dev.twinlane.agent;

import dev.twinlane.ingest.HookStatus;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.policy.Mode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters only the running agent knows: each hook's enforcement state and, with the policy
 * plane, the policy in force. The modules register their own (ingest, lanes, logs, export); all
 * are read when scraped.
 */
final class AgentMetrics {
    private AgentMetrics() {
    }

    static void bind(MeterRegistry registry, KernelIngest kernel, IngestConfig.Mode mode, boolean policyPlane) {
        for (HookStatus h : kernel.hooks()) {
            // 1 while the hook refuses what its rules deny; 0 audit-only or unavailable (the label says which)
            Gauge.builder("twinlane.hook.enforcing", () -> h.capability() == HookStatus.Capability.ENFORCE
                    && mode == IngestConfig.Mode.ENFORCE ? 1 : 0)
                    .tag("hook", h.hook()).tag("capability", capability(h.capability()))
                    .tag("via", h.via()).description("1 while this hook enforces; capability: what it can do here")
                    .register(registry);
        }
        if (policyPlane) {
            // read from the kernel's policy maps, so they show what is in force, not what was asked
            Gauge.builder("twinlane.policy.version", kernel, k -> k.policyApplier().inForce().version())
                    .description("version of the policy in force (0: none applied)").register(registry);
            Gauge.builder("twinlane.policy.enforcing", kernel,
                    k -> k.policyApplier().inForce().mode() == Mode.ENFORCE.code() ? 1 : 0)
                    .description("1 in mode enforce, 0 audit (break-glass, a deny-rate revert)").register(registry);
            Gauge.builder("twinlane.policy.deadman.lapsed", kernel, k -> k.deadman().lapseSeen() ? 1 : 0)
                    .description("1 while the deadman has lapsed: the cgroup programs decide audit-only")
                    .register(registry);
        }
    }

    private static String capability(HookStatus.Capability c) {
        return switch (c) {
            case ENFORCE -> "enforce";
            case AUDIT -> "audit_only";
            case NONE -> "unavailable";
            case OFF -> "off";
        };
    }
}
