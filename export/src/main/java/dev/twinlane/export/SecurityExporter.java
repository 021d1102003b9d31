package dev.twinlane.export;

import java.nio.charset.StandardCharsets;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;
import dev.twinlane.wire.CheckpointMessage;
import dev.twinlane.wire.SealMessage;
import dev.twinlane.wire.SecurityMessage;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The security log to {@code twinlane.security} (every record, key = host id, value =
 * {@link SecurityMessage}), plus the log's identity and each SEAL to the compacted
 * {@code twinlane.seals} (key = log id, value = {@link SealMessage}).
 */
public final class SecurityExporter extends LogExporter {
    private final SecurityMessage securityMessage = new SecurityMessage();
    private final SealMessage sealMessage = new SealMessage();
    private final byte[] logKey;
    private final byte[] checkpointKey;
    private final CheckpointPublisher checkpoints;
    private int producersOpened;
    private String checkpointProblem;

    public SecurityExporter(ChainedLog log, ExportSettings settings, MeterRegistry registry) {
        super("security", log, settings, registry);
        this.logKey = logId.getBytes(StandardCharsets.US_ASCII);
        this.checkpointKey = (CheckpointMessage.KEY_PREFIX + logId).getBytes(StandardCharsets.US_ASCII);
        this.checkpoints = new CheckpointPublisher(log, settings.cursorDir);
    }

    /** Each new signed checkpoint of the log goes to the seals topic (beside the log's seal message). */
    @Override
    protected void tick() throws Exception {
        byte[] m;
        try {
            m = checkpoints.next(host);
        } catch (java.io.IOException | RuntimeException e) {
            String problem = "cannot make the checkpoint message (" + e + ")";
            if (!problem.equals(checkpointProblem)) {
                checkpointProblem = problem; // records keep going out; checkpoints are retried on each tick
                System.getLogger("dev.twinlane.export").log(System.Logger.Level.WARNING, "export security: " + problem);
            }
            return;
        }
        if (m != null) {
            checkpointProblem = null;
            send(settings.sealsTopic, checkpointKey, m, System.currentTimeMillis(), 0, false);
        }
    }

    @Override
    protected void producerOpened() {
        if (producersOpened++ > 0) {
            checkpoints.resend();
        }
    }

    @Override
    protected void stopped() {
        try {
            checkpoints.close();
        } catch (java.io.IOException e) {
            // read-only file
        }
    }

    @Override
    protected boolean ship(byte[] rec, int length, long seq, int kind) {
        long ms = Math.floorDiv(RecordFormat.wallNanos(rec, 0), 1_000_000L);
        Checkpoint latest = log.checkpoint();
        byte[] value = securityMessage.encode(rec, length, prevMac, host, logId, latest == null ? 0 : latest.size());
        send(settings.securityTopic, hostKey, value, ms, seq, true);
        if (kind == Kinds.GENESIS || kind == Kinds.SEAL) {
            Seal seal = kind == Kinds.SEAL
                    ? Seal.decode(rec, RecordFormat.HEADER, length - RecordFormat.OVERHEAD) : null;
            send(settings.sealsTopic, logKey, sealMessage.encode(logId, host, genesis, genesisRecord, genesisMac, seal, seq),
                    ms, seq, false);
        }
        return true;
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
