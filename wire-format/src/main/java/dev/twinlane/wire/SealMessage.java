package dev.twinlane.wire;

import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Seal;

/**
 * The value of a {@code twinlane.seals} message (schema {@code twinlane.seal/1}): a log's
 * identity (its GENESIS record, so a consumer that joins late can anchor the chain) and its
 * latest seal. The topic is compacted by log id, so reading it from its start gives every log.
 *
 * <pre>
 * {"schema":"twinlane.seal/1","log_id":..,"host":..,"genesis":{..,"record":b64,"mac":hex},
 *  "seal":{"seq","mac","time_ns","signature","record_seq"} | null}
 * </pre>
 * Reuses its buffer: not thread-safe.
 */
public final class SealMessage {
    public static final String SCHEMA = "twinlane.seal/1";
    private final JsonOut out = new JsonOut(1024);

    /** {@code seal} null: the log's identity only; {@code recordSeq}: the SEAL record's own seq. */
    public byte[] encode(String logId, String host, Genesis genesis, byte[] genesisRecord, byte[] genesisMac,
                         Seal seal, long recordSeq) {
        JsonOut o = out.reset();
        o.begin();
        o.name("schema").str(SCHEMA);
        o.name("log_id").str(logId);
        o.name("host").str(host);
        o.name("genesis").begin();
        SecurityMessage.genesisFields(o, genesis);
        o.name("record").base64(genesisRecord, 0, genesisRecord.length);
        o.name("mac").hex(genesisMac);
        o.end();
        o.name("seal");
        if (seal == null) {
            o.nul();
        } else {
            o.begin();
            o.name("seq").num(seal.seq());
            o.name("mac").hex(seal.mac());
            o.name("time_ns").num(seal.timeNanos());
            o.name("signature").hex(seal.signature());
            o.name("record_seq").num(recordSeq);
            o.end();
        }
        o.end();
        return o.toBytes();
    }
}
