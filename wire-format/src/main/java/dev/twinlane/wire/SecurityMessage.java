package dev.twinlane.wire;

import dev.twinlane.records.LossSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;

/**
 * Renders one security-log record as the value of a {@code twinlane.security} message
 * (schema {@code twinlane.security/1}, docs/OCSF.md):
 *
 * <pre>
 * {"schema":"twinlane.security/1","host":H,"log_id":L,"seq":N,"kind":K,"kind_name":..,"time_ns":..,"mono_ns":..,
 *  "key_id":"8 hex","epoch":E,"prev_mac":"64 hex","mac":"64 hex","record":"base64 of header||payload",
 *  "leaf_index":N-1, "tree_size":T (only when known),
 *  "event":{OCSF event} | "wal":{fields of a GENESIS/GAP/SEAL/ROTATE/RECOVERY/NEW_LOG record}}
 * </pre>
 * {@code leaf_index} is the record's leaf in the log's Merkle tree (leaf hash = SHA-256(0x00 ‖
 * record ‖ mac)); {@code tree_size} the size of the log's latest checkpoint when that one already
 * covers the record (a record is usually shipped before the checkpoint of its SEAL: then any
 * later checkpoint on the seals topic covers it, see export/README.md).
 * {@code record} with {@code prev_mac} and {@code mac} is what a consumer holding the HMAC key
 * needs to recompute the MAC; {@code event} is rendered from {@code record} and nothing else.
 * Reuses its buffers: not thread-safe.
 */
public final class SecurityMessage {
    public static final String SCHEMA = "twinlane.security/1";
    private final JsonOut out = new JsonOut(4096);

    /**
     * {@code rec[0..length)} is one stored record (header, payload, MAC); {@code prevMac} the MAC
     * of the record before it (MAC_0 for the genesis).
     */
    public byte[] encode(byte[] rec, int length, byte[] prevMac, String host, String logId) {
        return encode(rec, length, prevMac, host, logId, 0);
    }

    /** {@code treeSize}: the latest checkpoint's tree size (left out when it does not cover the record). */
    public byte[] encode(byte[] rec, int length, byte[] prevMac, String host, String logId, long treeSize) {
        JsonOut o = out.reset();
        int payloadLen = length - RecordFormat.OVERHEAD;
        long seq = RecordFormat.seq(rec, 0);
        int kind = RecordFormat.kind(rec, 0);
        long wall = RecordFormat.wallNanos(rec, 0);
        o.begin();
        o.name("schema").str(SCHEMA);
        o.name("host").str(host);
        o.name("log_id").str(logId);
        o.name("seq").num(seq);
        o.name("kind").num(kind);
        o.name("kind_name").str(kindName(kind));
        o.name("time_ns").num(wall);
        o.name("mono_ns").num(RecordFormat.monoNanos(rec, 0));
        o.name("key_id").str(KeyRing.idHex(RecordFormat.keyId(rec, 0)));
        o.name("epoch").num(RecordFormat.epoch(rec, 0));
        o.name("prev_mac").hex(prevMac, 0, RecordFormat.MAC);
        o.name("mac").hex(rec, length - RecordFormat.MAC, RecordFormat.MAC);
        o.name("record").base64(rec, 0, length - RecordFormat.MAC);
        o.name("leaf_index").num(seq - 1);
        if (treeSize >= seq) {
            o.name("tree_size").num(treeSize);
        }
        if (kind <= Kinds.MAX_APP_KIND) {
            o.name("event");
            if (!Ocsf.event(o, rec, RecordFormat.HEADER, payloadLen, wall, host, logId, seq)) {
                o.nul();
            }
        } else {
            o.name("wal");
            walFields(o, rec, RecordFormat.HEADER, payloadLen, kind);
        }
        o.end();
        return o.toBytes();
    }

    public static String kindName(int kind) {
        if (kind > Kinds.MAX_APP_KIND) {
            return Kinds.name(kind);
        }
        RecordKind k = RecordKind.of(kind);
        return k == null ? "kind-" + kind : k.label();
    }

    /** What a GENESIS binds: host, creation time, epoch schedule, seal public key (null: unsealed). */
    static void genesisFields(JsonOut o, Genesis g) {
        o.name("host_id").str(g.hostId());
        o.name("created_ns").num(g.createdNanos());
        o.name("records_per_epoch").num(g.recordsPerEpoch());
        o.name("epoch_ns").num(g.epochNanos());
        o.name("seal_public_key");
        if (g.sealed()) {
            o.hex(g.sealPublicKey());
        } else {
            o.nul();
        }
    }

    /** The decoded payload of a WAL-level record (an empty object when it does not decode). */
    public static void walFields(JsonOut o, byte[] p, int off, int len, int kind) {
        o.begin();
        switch (kind) {
            case Kinds.GENESIS -> {
                Genesis g = Genesis.decode(p, off, len);
                if (g != null) {
                    genesisFields(o, g);
                }
            }
            case Kinds.GAP -> {
                if (len == 32) {
                    o.name("lost").num(RecordFormat.getLong(p, off));
                    o.name("ring").num(RecordFormat.getInt(p, off + 8));
                    o.name("source").str(LossSource.label(RecordFormat.getInt(p, off + 8)));
                    o.name("from_ns").num(RecordFormat.getLong(p, off + 16));
                    o.name("to_ns").num(RecordFormat.getLong(p, off + 24));
                }
            }
            case Kinds.SEAL -> {
                Seal s = Seal.decode(p, off, len);
                if (s != null) {
                    o.name("sealed_seq").num(s.seq());
                    o.name("sealed_mac").hex(s.mac());
                    o.name("seal_time_ns").num(s.timeNanos());
                    o.name("signature").hex(s.signature());
                }
            }
            case Kinds.ROTATE -> {
                if (len == 4) {
                    o.name("next_key_id").str(KeyRing.idHex(RecordFormat.getInt(p, off)));
                }
            }
            case Kinds.RECOVERY -> {
                if (len == Kinds.RECOVERY_V1_LENGTH || len == Kinds.RECOVERY_LENGTH) {
                    o.name("torn_documents").num(RecordFormat.getInt(p, off));
                    o.name("torn_bytes").num(RecordFormat.getLong(p, off + 4));
                    o.name("torn_sha256").hex(p, off + 12, 32);
                    o.name("zeroed_bytes").num(RecordFormat.getLong(p, off + 44));
                }
                if (len == Kinds.RECOVERY_LENGTH) {
                    int flags = RecordFormat.getInt(p, off + 68);
                    o.name("last_seq_kept").num(RecordFormat.getLong(p, off + 52));
                    o.name("durable_seq_before").num(RecordFormat.getLong(p, off + 60));
                    o.name("not_closed").bool((flags & Kinds.RECOVERY_NOT_CLOSED) != 0);
                    o.name("new_boot").bool((flags & Kinds.RECOVERY_NEW_BOOT) != 0);
                    o.name("no_identity").bool((flags & Kinds.RECOVERY_NO_IDENTITY) != 0);
                }
            }
            case Kinds.NEW_LOG -> {
                NewLog n = NewLog.decode(p, off, len);
                if (n != null) {
                    o.name("previous_log_id").str(n.previousLogIdHex());
                    o.name("previous_last_seq").num(n.previousLastSeq());
                    o.name("first_bad_seq").num(n.firstBadSeq());
                    o.name("cause").str(n.causeName());
                    o.name("reason").str(n.reason());
                    o.name("problem").str(n.problem());
                }
            }
            default -> {
            }
        }
        o.end();
    }
}
