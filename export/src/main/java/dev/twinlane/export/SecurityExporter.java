package dev.twinlane.export;

import java.nio.charset.StandardCharsets;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.Kinds;
import dev.twinlane.wal.RecordFormat;
import dev.twinlane.wal.Seal;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The security log to {@code twinlane.security} (every record, key = host id, value =
 * {@link SecurityEncoder}), plus the log's identity and each SEAL to the compacted
 * {@code twinlane.seals} (key = log id, value = {@link #sealValue}).
 */
public final class SecurityExporter extends LogExporter {
    public static final String SEAL_SCHEMA = "twinlane.seal/1";
    private final SecurityEncoder encoder = new SecurityEncoder();
    private final JsonOut sealJson = new JsonOut(1024);
    private final byte[] logKey;

    public SecurityExporter(ChainedLog log, ExportSettings settings, MeterRegistry registry) {
        super("security", log, settings, registry);
        this.logKey = logId.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected boolean ship(byte[] rec, int length, long seq, int kind) {
        long ms = Math.floorDiv(RecordFormat.wallNanos(rec, 0), 1_000_000L);
        byte[] value = encoder.encode(rec, length, prevMac, host, logId);
        send(settings.securityTopic, hostKey, value, ms, seq, true);
        if (kind == Kinds.GENESIS || kind == Kinds.SEAL) {
            Seal seal = kind == Kinds.SEAL
                    ? Seal.decode(rec, RecordFormat.HEADER, length - RecordFormat.OVERHEAD) : null;
            send(settings.sealsTopic, logKey, sealValue(seal, seq), ms, seq, false);
        }
        return true;
    }

    /**
     * {"schema":"twinlane.seal/1","log_id":..,"host":..,"genesis":{..,"record":b64,"mac":hex},
     *  "seal":{"seq","mac","time_ns","signature","record_seq"} | null}: the latest seal of a log with
     * what a consumer needs to check it and to anchor the chain (the GENESIS record itself).
     */
    private byte[] sealValue(Seal seal, long recordSeq) {
        JsonOut o = sealJson.reset();
        o.begin();
        o.name("schema").str(SEAL_SCHEMA);
        o.name("log_id").str(logId);
        o.name("host").str(host);
        o.name("genesis").begin();
        o.name("host_id").str(genesis.hostId());
        o.name("created_ns").num(genesis.createdNanos());
        o.name("records_per_epoch").num(genesis.recordsPerEpoch());
        o.name("epoch_ns").num(genesis.epochNanos());
        o.name("seal_public_key");
        if (genesis.sealed()) {
            o.hex(genesis.sealPublicKey());
        } else {
            o.nul();
        }
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

    @Override
    protected String compression() {
        return settings.securityCompression;
    }

    @Override
    protected void createTopics(TopicMaker maker) throws Exception {
        maker.ensure(settings.securityTopic, false);
        maker.ensure(settings.sealsTopic, true);
    }
}
