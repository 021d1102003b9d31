package dev.twinlane.wire;

import java.util.List;

/**
 * A log's signed checkpoint on the seals topic (schema {@code twinlane.checkpoint/1}, key
 * {@code "checkpoint/" + log id}, so compaction keeps each log's newest beside its seal message):
 * the C2SP tlog-checkpoint signed note as written to DIR/checkpoint.latest, and RFC 9162
 * consistency proofs to it from the sizes of the last checkpoints the exporter published, so a
 * witness that accepted any of them can check that this one extends it.
 *
 * <pre>
 * {"schema":"twinlane.checkpoint/1","log_id":..,"host":..,"size":N,"note":"...",
 *  "proofs":[{"old_size":M,"hashes":[b64,..]},..]}
 * </pre>
 */
public final class CheckpointMessage {
    public static final String SCHEMA = "twinlane.checkpoint/1";
    public static final String KEY_PREFIX = "checkpoint/";

    /** A consistency proof from {@code oldSize} to the message's checkpoint. */
    public record Proof(long oldSize, List<byte[]> hashes) {
    }

    private CheckpointMessage() {
    }

    public static byte[] encode(String logId, String host, long size, String note, List<Proof> proofs) {
        JsonOut o = new JsonOut(1024 + 64 * 48 * proofs.size());
        o.begin();
        o.name("schema").str(SCHEMA);
        o.name("log_id").str(logId);
        o.name("host").str(host);
        o.name("size").num(size);
        o.name("note").str(note);
        o.name("proofs").beginArray();
        for (Proof p : proofs) {
            o.element().begin();
            o.name("old_size").num(p.oldSize());
            o.name("hashes").beginArray();
            for (byte[] h : p.hashes()) {
                o.element().base64(h, 0, h.length);
            }
            o.endArray();
            o.end();
        }
        o.endArray();
        o.end();
        return o.toBytes();
    }
}
