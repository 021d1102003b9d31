package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import dev.twinlane.ingest.HookStatus;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.records.Ring;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/** The running agent's hook status, for `twinlane status` from another process. */
final class StatusFile {
    static final Path PATH = Path.of(System.getProperty("twinlane.status", "/run/twinlane/agent.status"));

    private static volatile boolean warned;

    private StatusFile() {
    }

    /** Lines of the health section that `twinlane status` reports as problems (and exits 1 for). */
    static final String PROBLEM = "problem: ";

    /**
     * Hooks, the logs' health (lines starting with {@link #PROBLEM} for each problem) and run's other
     * lines (the records by kind), then every meter of the registry as `name{tags} value` lines (rewritten every second by run).
     */
    static void write(List<HookStatus> hooks, IngestConfig config, MeterRegistry registry, List<String> health) {
        StringBuilder sb = new StringBuilder();
        sb.append("pid ").append(ProcessHandle.current().pid()).append('\n');
        sb.append(render(hooks, config));
        for (String h : health) {
            sb.append(h).append('\n');
        }
        if (registry != null) {
            sb.append("metrics at ").append(java.time.Instant.now()).append('\n');
            registry.getMeters().stream()
                    .sorted(java.util.Comparator.comparing((Meter m) -> m.getId().getName())
                            .thenComparing(m -> m.getId().getTags().toString()))
                    .forEach(m -> line(sb, m));
        }
        try {
            Files.createDirectories(PATH.getParent());
            Path tmp = PATH.resolveSibling(PATH.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, PATH, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                System.err.println("twinlane: cannot write status file " + PATH + ": " + e.getMessage());
            }
        }
    }

    private static void line(StringBuilder sb, Meter m) {
        sb.append("  ").append(m.getId().getName());
        if (!m.getId().getTags().isEmpty()) {
            sb.append(m.getId().getTags().stream().map(t -> t.getKey() + "=" + t.getValue())
                    .collect(java.util.stream.Collectors.joining(",", "{", "}")));
        }
        for (Measurement v : m.measure()) {
            // times in seconds to the microsecond: `twinlane top` derives mean fsync latencies from them
            boolean time = v.getStatistic() == io.micrometer.core.instrument.Statistic.TOTAL_TIME
                    || v.getStatistic() == io.micrometer.core.instrument.Statistic.MAX;
            sb.append(' ').append(v.getStatistic().name().toLowerCase()).append('=')
                    .append(time ? String.format(java.util.Locale.ROOT, "%.6f", v.getValue()) : format(v.getValue()));
        }
        sb.append('\n');
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format("%.3f", v);
    }

    static String render(List<HookStatus> hooks, IngestConfig config) {
        StringBuilder sb = new StringBuilder();
        sb.append("mode ").append(config.mode().name().toLowerCase()).append('\n');
        for (HookStatus h : hooks) {
            sb.append(h.describe()).append('\n');
        }
        for (Ring r : Ring.values()) {
            sb.append(config.wakeup(r).describe(r, config.ringBytes(r))).append('\n');
        }
        return sb.toString();
    }

    /** The problem lines of a live agent's status, without their prefix. */
    static List<String> problems(String status) {
        return status.lines().filter(l -> l.startsWith(PROBLEM)).map(l -> l.substring(PROBLEM.length())).toList();
    }

    /** The status of a live agent, if one runs. */
    static Optional<String> readLive() {
        try {
            List<String> lines = Files.readAllLines(PATH);
            long pid = Long.parseLong(lines.get(0).substring(4).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Optional.of(String.join("\n", lines));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static void remove() {
        try {
            Files.deleteIfExists(PATH);
        } catch (IOException e) {
            // Stale files are recognised by their dead pid.
        }
    }
}
