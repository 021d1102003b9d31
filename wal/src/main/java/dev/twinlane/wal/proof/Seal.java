package dev.twinlane.wal.proof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A signed statement "record {@code seq} of log {@code logId} had MAC {@code mac} at
 * {@code timeNanos}", as a SEAL record's 128-byte payload carries it. Readers far from the log
 * (exporters, SIEM consumers) decode it and check it with the public seal key alone.
 *
 * <pre>
 *  0 long seq    8 MAC (32)    40 long timeNanos    48 log id (16)    64 Ed25519 signature (64)
 * </pre>
 */
public final class Seal {
    /** Length of a SEAL record's payload. */
    public static final int PAYLOAD = 128;
    private static final byte[] LABEL = "twinlane-wal seal v1".getBytes(StandardCharsets.US_ASCII);

    private final long seq;
    private final byte[] mac;
    private final long timeNanos;
    private final byte[] logId;
    private final byte[] signature;

    private Seal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature) {
        this.seq = seq;
        this.mac = mac.clone();
        this.timeNanos = timeNanos;
        this.logId = logId.clone();
        this.signature = signature.clone();
    }

    /** A seal received elsewhere (a SIEM's seals topic), to be checked with {@link #verify}. */
    public static Seal of(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature) {
        if (mac.length != 32 || logId.length != 16 || signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("a seal has a 32-byte MAC, a 16-byte log id and a 64-byte signature");
        }
        return new Seal(seq, mac, timeNanos, logId, signature);
    }

    /** Seq of the record this seal signs. */
    public long seq() {
        return seq;
    }

    public byte[] mac() {
        return mac.clone();
    }

    public long timeNanos() {
        return timeNanos;
    }

    public byte[] logId() {
        return logId.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    /** Whether this seal signs {@code mac} of record {@code seq} of log {@code logId}. */
    public boolean describes(long seq, byte[] mac, byte[] logId) {
        return this.seq == seq && Arrays.equals(this.mac, mac) && Arrays.equals(this.logId, logId);
    }

    /** What a seal's Ed25519 signature covers: the label, log id, seq, MAC and time. */
    public static byte[] signedBytes(byte[] logId, long seq, byte[] mac, long timeNanos) {
        byte[] m = new byte[LABEL.length + 16 + 8 + 32 + 8];
        int o = 0;
        System.arraycopy(LABEL, 0, m, o, LABEL.length);
        o += LABEL.length;
        System.arraycopy(logId, 0, m, o, 16);
        o += 16;
        RecordFormat.putLong(m, o, seq);
        o += 8;
        System.arraycopy(mac, 0, m, o, 32);
        o += 32;
        RecordFormat.putLong(m, o, timeNanos);
        return m;
    }

    public boolean verify(byte[] publicKey) {
        byte[] m = signedBytes(logId, seq, mac, timeNanos);
        try {
            return Ed25519.verify(signature, 0, publicKey, 0, m, 0, m.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Writes the SEAL payload ({@link #PAYLOAD} bytes) at {@code off} of the caller's array. */
    public void encode(byte[] p, int off) {
        RecordFormat.putLong(p, off, seq);
        System.arraycopy(mac, 0, p, off + 8, 32);
        RecordFormat.putLong(p, off + 40, timeNanos);
        System.arraycopy(logId, 0, p, off + 48, 16);
        System.arraycopy(signature, 0, p, off + 64, 64);
    }

    /** The seal a SEAL record's payload carries, or null when the payload is not one. */
    public static Seal decode(byte[] p, int off, int len) {
        if (len != PAYLOAD) {
            return null;
        }
        return new Seal(RecordFormat.getLong(p, off), Arrays.copyOfRange(p, off + 8, off + 40),
                RecordFormat.getLong(p, off + 40), Arrays.copyOfRange(p, off + 48, off + 64),
                Arrays.copyOfRange(p, off + 64, off + 128));
    }
}
