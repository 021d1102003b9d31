package dev.twinlane.wire;

import java.nio.charset.StandardCharsets;

/**
 * The value of a {@code twinlane.observability} message (schema {@code twinlane.observability/1}):
 * {"schema","host","log_id","seq","time_ns","batch":{the batch as the lane wrote it}}. The batch is
 * copied byte for byte, so imputed values keep their {@code "synthetic":true} and method.
 * Reuses its buffer: not thread-safe.
 */
public final class ObservabilityMessage {
    public static final String SCHEMA = "twinlane.observability/1";
    private final JsonOut out = new JsonOut(64 * 1024);

    /** {@code batch[off..off+n)}: the lane's JSON batch (anything else is carried as a string). */
    public byte[] encode(String host, String logId, long seq, long timeNanos, byte[] batch, int off, int n) {
        JsonOut o = out.reset();
        o.begin();
        o.name("schema").str(SCHEMA);
        o.name("host").str(host);
        o.name("log_id").str(logId);
        o.name("seq").num(seq);
        o.name("time_ns").num(timeNanos);
        o.name("batch");
        int first = off;
        while (first < off + n && batch[first] == ' ') {
            first++;
        }
        if (first < off + n && batch[first] == '{') {
            o.raw(batch, off, n);
        } else {
            o.str(new String(batch, off, n, StandardCharsets.UTF_8));
        }
        o.end();
        return o.toBytes();
    }
}
