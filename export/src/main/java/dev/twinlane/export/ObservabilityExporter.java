package dev.twinlane.export;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.RecordFormat;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The observability lane's batches to {@code twinlane.observability}, compressed (zstd or lz4),
 * key = host id: {"schema":"twinlane.observability/1","host":..,"log_id":..,"seq":..,"time_ns":..,
 * "batch":{the batch as the lane wrote it}}. The batch is copied byte for byte, so imputed values
 * keep their {@code "synthetic":true} and method.
 */
public final class ObservabilityExporter extends LogExporter {
    public static final String SCHEMA = "twinlane.observability/1";
    private final int batchKind;
    private final JsonOut out = new JsonOut(64 * 1024);

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
        int off = RecordFormat.HEADER;
        int n = length - RecordFormat.OVERHEAD;
        JsonOut o = out.reset();
        o.begin();
        o.name("schema").str(SCHEMA);
        o.name("host").str(host);
        o.name("log_id").str(logId);
        o.name("seq").num(seq);
        o.name("time_ns").num(RecordFormat.wallNanos(rec, 0));
        o.name("batch");
        int first = off;
        while (first < off + n && rec[first] == ' ') {
            first++;
        }
        if (first < off + n && rec[first] == '{') {
            o.raw(rec, off, n);
        } else {
            o.str(new String(rec, off, n, java.nio.charset.StandardCharsets.UTF_8));
        }
        o.end();
        send(settings.observabilityTopic, hostKey, o.toBytes(), Math.floorDiv(RecordFormat.wallNanos(rec, 0), 1_000_000L),
                seq, true);
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
