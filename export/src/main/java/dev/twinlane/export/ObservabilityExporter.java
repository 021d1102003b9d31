package dev.twinlane.export;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wire.ObservabilityMessage;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The observability lane's batches to {@code twinlane.observability}, compressed (zstd or lz4),
 * key = host id, value = {@link ObservabilityMessage}.
 */
public final class ObservabilityExporter extends LogExporter {
    private final int batchKind;
    private final ObservabilityMessage message = new ObservabilityMessage();

    /** {@code batchKind}: the WAL kind of the lane's batches (the agent's OBSERVABILITY_BATCH). */
    public ObservabilityExporter(ChainedLog log, ExportSettings settings, MeterRegistry registry, int batchKind) {
        super("observability", log, settings, registry);
        this.batchKind = batchKind;
    }

    @Override
    protected boolean ship(byte[] rec, int length, long seq, int kind) {
        if (kind != batchKind) {
            return false;
        }
        long time = RecordFormat.wallNanos(rec, 0);
        byte[] value = message.encode(host, logId, seq, time, rec, RecordFormat.HEADER, length - RecordFormat.OVERHEAD);
        send(settings.observabilityTopic, hostKey, value, Math.floorDiv(time, 1_000_000L), seq, true);
        return true;
    }

    @Override
    protected String compression() {
        return settings.observabilityCompression;
    }

    @Override
    protected void createTopics(TopicMaker maker) throws Exception {
        maker.ensure(settings.observabilityTopic, false);
    }
}
