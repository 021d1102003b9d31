package dev.twinlane.agent;

import java.util.List;
import java.util.stream.Collectors;

import dev.twinlane.ingest.HookStatus;
import dev.twinlane.ingest.IngestConfig;

/** The one line the agent states at start: what enforces, what only audits, what is missing. */
final class HookSummary {
    private HookSummary() {
    }

    static String line(List<HookStatus> hooks, IngestConfig.Mode mode) {
        return "twinlane: mode " + mode.name().toLowerCase() + "; enforce: " + names(hooks, HookStatus.Capability.ENFORCE)
                + "; audit-only: " + names(hooks, HookStatus.Capability.AUDIT)
                + "; unavailable: " + names(hooks, HookStatus.Capability.NONE)
                + "; off: " + names(hooks, HookStatus.Capability.OFF)
                + " (./twinlane status for reasons)";
    }

    private static String names(List<HookStatus> hooks, HookStatus.Capability c) {
        String s = hooks.stream().filter(h -> h.capability() == c)
                .map(h -> h.hook() + (h.via().isEmpty() ? "" : "[" + h.via() + "]"))
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }
}
