package dev.twinlane.export;

import java.util.List;

import dev.twinlane.wal.ChainedLog;
import io.micrometer.core.instrument.MeterRegistry;

/** Both exporters of one agent, started and stopped together. */
public final class Exporters implements AutoCloseable {
    private final SecurityExporter security;
    private final ObservabilityExporter observability;

    private Exporters(SecurityExporter security, ObservabilityExporter observability) {
        this.security = security;
        this.observability = observability;
    }

    /**
     * Starts exporting {@code securityLog} and, unless disabled or null, {@code observabilityLog}
     * (whose batches have WAL kind {@code batchKind}). Throws IllegalArgumentException with one
     * line per bad setting. Never waits for the broker: each exporter connects on its own thread.
     */
    public static Exporters start(ExportSettings s, ChainedLog securityLog, ChainedLog observabilityLog, int batchKind,
                                  MeterRegistry registry) {
        List<String> problems = s.problems();
        if (s.cursorDir == null) {
            problems = new java.util.ArrayList<>(problems);
            problems.add("kafka: no cursor directory");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        String clearText = s.clearTextWarning();
        if (clearText != null) {
            System.getLogger("dev.twinlane.export").log(System.Logger.Level.WARNING, "export: " + clearText
                    + " (kafka.tls.ca_file, or --kafka-ca)");
        }
        SecurityExporter sec = new SecurityExporter(securityLog, s, registry);
        ObservabilityExporter obs = s.exportObservability && observabilityLog != null
                ? new ObservabilityExporter(observabilityLog, s, registry, batchKind) : null;
        sec.start();
        if (obs != null) {
            obs.start();
        }
        return new Exporters(sec, obs);
    }

    public SecurityExporter security() {
        return security;
    }

    /** Null when the observability log is not exported. */
    public ObservabilityExporter observability() {
        return observability;
    }

    /** Stops both, each after a bounded wait for outstanding acknowledgements. */
    @Override
    public void close() {
        if (observability != null) {
            observability.close();
        }
        security.close();
    }
}
