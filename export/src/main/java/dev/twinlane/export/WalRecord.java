package dev.twinlane.export;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import dev.twinlane.wal.Kinds;

/**
 * The stored layout of one twinlane-wal record, as documented in wal/RecordFormat.java (the wal
 * module keeps its own copy package-private): what an exporter ships and what a consumer far
 * away needs to re-verify a chain record by record.
 *
 * <pre>
 *  0 long seq   8 long wallNanos   16 long monoNanos   24 int epoch   28 int keyId
 * 32 u16 kind  34 u16 version (1)  36 int payloadLength n   40 payload   40+n MAC (32)
 * MAC_i = HMAC-SHA256(K_epoch, MAC_{i-1} || bytes 0..40+n); MAC_0 = SHA-256("twinlane-wal genesis v1" || genesis payload)
 * </pre>
 * Little-endian throughout.
 */
public final class WalRecord {
    public static final int HEADER = 40;
    public static final int MAC = 32;
    public static final int OVERHEAD = HEADER + MAC;
    public static final int VERSION = 1;

    // The kinds are the wal module's own (public); the layout below is a copy (see the class comment).
    public static final int GENESIS = Kinds.GENESIS;
    public static final int GAP = Kinds.GAP;
    public static final int SEAL = Kinds.SEAL;
    public static final int ROTATE = Kinds.ROTATE;
    public static final int RECOVERY = Kinds.RECOVERY;
    public static final int MAX_APP_KIND = Kinds.MAX_APP_KIND;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] GENESIS_MAGIC = "TLWALGEN".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAC0_LABEL = "twinlane-wal genesis v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEAL_LABEL = "twinlane-wal seal v1".getBytes(StandardCharsets.US_ASCII);

    private WalRecord() {
    }

    public static long seq(byte[] r, int off) {
        return (long) LONG.get(r, off);
    }

    public static long wallNanos(byte[] r, int off) {
        return (long) LONG.get(r, off + 8);
    }

    public static long monoNanos(byte[] r, int off) {
        return (long) LONG.get(r, off + 16);
    }

    public static int epoch(byte[] r, int off) {
        return (int) INT.get(r, off + 24);
    }

    public static int keyId(byte[] r, int off) {
        return (int) INT.get(r, off + 28);
    }

    public static int kind(byte[] r, int off) {
        return Short.toUnsignedInt((short) SHORT.get(r, off + 32));
    }

    public static int version(byte[] r, int off) {
        return Short.toUnsignedInt((short) SHORT.get(r, off + 34));
    }

    public static int payloadLength(byte[] r, int off) {
        return (int) INT.get(r, off + 36);
    }

    public static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static int getU16(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT.get(b, off));
    }

    public static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    /** Header and payload agree on the length ({@code length} = header + payload, no MAC). */
    public static boolean wellFormed(byte[] r, int off, int length) {
        return length >= HEADER && version(r, off) == VERSION && payloadLength(r, off) == length - HEADER;
    }

    public static String kindName(int kind) {
        switch (kind) {
            case GENESIS: return "GENESIS";
            case GAP: return "GAP";
            case SEAL: return "SEAL";
            case ROTATE: return "ROTATE";
            case RECOVERY: return "RECOVERY";
            default: return "kind-" + kind;
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** 8 lower-case hex digits, as twinlane verify prints key ids. */
    public static String keyIdHex(int id) {
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--) {
            c[i] = HEX[id & 0xF];
            id >>>= 4;
        }
        return new String(c);
    }

    /** The identity a log's first record carries; MAC_0 is derived from its payload. */
    public record Genesis(byte[] logId, long createdNanos, long recordsPerEpoch, long epochNanos, byte[] sealPublicKey,
                          String hostId, byte[] payload) {
        /** Null when the bytes are not a genesis payload (wal/Genesis.java). */
        public static Genesis decode(byte[] p, int off, int len) {
            if (len < 84 || !Arrays.equals(p, off, off + 8, GENESIS_MAGIC, 0, 8) || getU16(p, off + 8) != 1) {
                return null;
            }
            int hostLen = getU16(p, off + 82);
            if (84 + hostLen != len) {
                return null;
            }
            long perEpoch = getLong(p, off + 34);
            long epochNanos = getLong(p, off + 42);
            if (perEpoch < 0 || epochNanos < 0 || (perEpoch == 0 && epochNanos == 0)) {
                return null;
            }
            return new Genesis(Arrays.copyOfRange(p, off + 10, off + 26), getLong(p, off + 26), perEpoch, epochNanos,
                    Arrays.copyOfRange(p, off + 50, off + 82), new String(p, off + 84, hostLen, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(p, off, off + len));
        }

        public boolean sealed() {
            for (byte b : sealPublicKey) {
                if (b != 0) {
                    return true;
                }
            }
            return false;
        }

        /** MAC_0, the value the chain starts from. */
        public byte[] mac0() {
            MessageDigest md = sha256();
            md.update(MAC0_LABEL);
            return md.digest(payload);
        }

        /** The epoch a record must carry (wal/EpochSchedule.java), from its seq and the previous time part. */
        public int countPart(long seq) {
            return recordsPerEpoch == 0 ? 0 : (int) ((seq - 1) / recordsPerEpoch);
        }

        public int nextTimePart(int previous, long wallNanos) {
            if (epochNanos == 0) {
                return 0;
            }
            long boundary = createdNanos + (previous + 1L) * epochNanos;
            return wallNanos >= boundary ? previous + 1 : previous;
        }
    }

    /** A SEAL record's payload (128 bytes): an Ed25519 signature over (log id, seq, MAC, time). */
    public record Seal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature) {
        public static final int PAYLOAD = 128;

        public static Seal decode(byte[] p, int off, int len) {
            if (len != PAYLOAD) {
                return null;
            }
            return new Seal(getLong(p, off), Arrays.copyOfRange(p, off + 8, off + 40), getLong(p, off + 40),
                    Arrays.copyOfRange(p, off + 48, off + 64), Arrays.copyOfRange(p, off + 64, off + 128));
        }

        /** The signed message (wal/Seal.java). */
        public byte[] message() {
            byte[] m = new byte[SEAL_LABEL.length + 16 + 8 + 32 + 8];
            int o = 0;
            System.arraycopy(SEAL_LABEL, 0, m, o, SEAL_LABEL.length);
            o += SEAL_LABEL.length;
            System.arraycopy(logId, 0, m, o, 16);
            o += 16;
            putLong(m, o, seq);
            o += 8;
            System.arraycopy(mac, 0, m, o, 32);
            o += 32;
            putLong(m, o, timeNanos);
            return m;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
