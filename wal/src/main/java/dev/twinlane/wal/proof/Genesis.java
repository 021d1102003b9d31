package dev.twinlane.wal.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The log's identity, carried by the first record (seq 1, kind GENESIS) and mirrored in
 * wal.meta for people. MAC_0, the value the chain starts from, is a hash of this payload,
 * so every MAC depends on host id, creation time, random log id, epoch policy and the
 * public seal key.
 *
 * <pre>
 *  0  8  magic "TLWALGEN"      8  u16 version
 * 10 16  log id               26  long createdNanos
 * 34  8  recordsPerEpoch      42  long epochNanos
 * 50 32  Ed25519 public seal key (zero when the log is not sealed)
 * 82  u16 host id length      84  host id, UTF-8
 * </pre>
 * {@link #decode} and the accessors are what a reader far from the log (an exporter, a SIEM
 * consumer) needs to anchor a chain it receives record by record.
 */
public final class Genesis {
    private static final byte[] MAGIC = "TLWALGEN".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAC0_LABEL = "twinlane-wal genesis v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] logId;
    private final long createdNanos;
    private final long recordsPerEpoch;
    private final long epochNanos;
    private final byte[] sealPublicKey;
    private final String hostId;

    public Genesis(byte[] logId, long createdNanos, long recordsPerEpoch, long epochNanos, byte[] sealPublicKey, String hostId) {
        this.logId = logId.clone();
        this.createdNanos = createdNanos;
        this.recordsPerEpoch = recordsPerEpoch;
        this.epochNanos = epochNanos;
        this.sealPublicKey = sealPublicKey == null ? new byte[32] : sealPublicKey.clone();
        this.hostId = hostId;
    }

    public byte[] logId() {
        return logId.clone();
    }

    public long createdNanos() {
        return createdNanos;
    }

    public long recordsPerEpoch() {
        return recordsPerEpoch;
    }

    public long epochNanos() {
        return epochNanos;
    }

    /** The Ed25519 public key SEAL records verify with; all zero when the log is not sealed. */
    public byte[] sealPublicKey() {
        return sealPublicKey.clone();
    }

    public String hostId() {
        return hostId;
    }

    public boolean sealed() {
        for (byte b : sealPublicKey) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    public EpochSchedule schedule() {
        return new EpochSchedule(recordsPerEpoch, epochNanos, createdNanos);
    }

    /** The GENESIS payload. */
    public byte[] encode() {
        byte[] host = hostId.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[84 + host.length];
        System.arraycopy(MAGIC, 0, p, 0, 8);
        RecordFormat.putU16(p, 8, 1);
        System.arraycopy(logId, 0, p, 10, 16);
        RecordFormat.putLong(p, 26, createdNanos);
        RecordFormat.putLong(p, 34, recordsPerEpoch);
        RecordFormat.putLong(p, 42, epochNanos);
        System.arraycopy(sealPublicKey, 0, p, 50, 32);
        RecordFormat.putU16(p, 82, host.length);
        System.arraycopy(host, 0, p, 84, host.length);
        return p;
    }

    /** Null when the bytes are not a genesis payload. */
    public static Genesis decode(byte[] p, int off, int len) {
        if (len < 84 || !Arrays.equals(p, off, off + 8, MAGIC, 0, 8) || RecordFormat.getU16(p, off + 8) != 1) {
            return null;
        }
        int hostLen = RecordFormat.getU16(p, off + 82);
        if (84 + hostLen != len) {
            return null;
        }
        long recordsPerEpoch = RecordFormat.getLong(p, off + 34);
        long epochNanos = RecordFormat.getLong(p, off + 42);
        if (recordsPerEpoch < 0 || epochNanos < 0 || (recordsPerEpoch == 0 && epochNanos == 0)) {
            return null;
        }
        return new Genesis(Arrays.copyOfRange(p, off + 10, off + 26), RecordFormat.getLong(p, off + 26),
                recordsPerEpoch, epochNanos, Arrays.copyOfRange(p, off + 50, off + 82),
                new String(p, off + 84, hostLen, StandardCharsets.UTF_8));
    }

    /** MAC_0 = SHA-256("twinlane-wal genesis v1" || genesis payload). */
    public byte[] mac0() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(MAC0_LABEL);
            return md.digest(encode());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String logIdHex() {
        return HexFormat.of().formatHex(logId);
    }

    /** The text of wal.meta, the genesis for people. */
    public String describe() {
        return "# twinlane-wal metadata (informational; the GENESIS record, seq 1, is authoritative)\n"
                + "format=twinlane-wal/1\n"
                + "log-id=" + logIdHex() + "\n"
                + "host-id=" + hostId + "\n"
                + "created-nanos=" + createdNanos + "\n"
                + "records-per-epoch=" + recordsPerEpoch + "\n"
                + "epoch-nanos=" + epochNanos + "\n"
                + "seal-public-key=" + (sealed() ? HexFormat.of().formatHex(sealPublicKey) : "none") + "\n";
    }
}
