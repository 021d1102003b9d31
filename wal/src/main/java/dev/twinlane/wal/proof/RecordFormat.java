package dev.twinlane.wal.proof;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte layout of one record; one record is exactly one Chronicle Queue document.
 *
 * <pre>
 *  0  long  seq            strictly +1 from the previous record, genesis is 1
 *  8  long  wallNanos      wall clock, ns since the Unix epoch
 * 16  long  monoNanos      CLOCK_MONOTONIC (System.nanoTime) of the writer
 * 24  int   epoch          key epoch the MAC was made with (see EpochSchedule)
 * 28  int   keyId          id of the root key the epoch key descends from
 * 32  u16   kind           application kind 1..0xFEFF or a WAL kind (Kinds)
 * 34  u16   version        1
 * 36  int   payloadLength  n
 * 40  n     payload
 * 40+n 32   MAC = HMAC-SHA256(K_epoch, MAC_prev || bytes 0..40+n)
 * </pre>
 * Little-endian, the native order of Chronicle Bytes on x86/ARM, so header bytes go to the
 * queue exactly as they went into the MAC.
 * <p>
 * Readers far from the log (exporters, SIEM consumers) that get records one by one read the same
 * layout through the static readers below, which take the record's offset. The writers only fill
 * a caller's array: appending to a log is the log's appender's job.
 */
public final class RecordFormat {
    public static final int HEADER = 40;
    public static final int MAC = 32;
    public static final int OVERHEAD = HEADER + MAC;
    public static final int VERSION = 1;

    public static final int OFF_SEQ = 0;
    public static final int OFF_WALL = 8;
    public static final int OFF_MONO = 16;
    public static final int OFF_EPOCH = 24;
    public static final int OFF_KEY_ID = 28;
    public static final int OFF_KIND = 32;
    public static final int OFF_VERSION = 34;
    public static final int OFF_LENGTH = 36;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private RecordFormat() {
    }

    /** Writes a record's header into the caller's array (the log's appender does; nothing here writes a log). */
    public static void writeHeader(byte[] h, long seq, long wallNanos, long monoNanos, int epoch, int keyId, int kind,
                            int payloadLength) {
        LONG.set(h, OFF_SEQ, seq);
        LONG.set(h, OFF_WALL, wallNanos);
        LONG.set(h, OFF_MONO, monoNanos);
        INT.set(h, OFF_EPOCH, epoch);
        INT.set(h, OFF_KEY_ID, keyId);
        SHORT.set(h, OFF_KIND, (short) kind);
        SHORT.set(h, OFF_VERSION, (short) VERSION);
        INT.set(h, OFF_LENGTH, payloadLength);
    }

    public static long seq(byte[] r, int off) {
        return getLong(r, off + OFF_SEQ);
    }

    public static long wallNanos(byte[] r, int off) {
        return getLong(r, off + OFF_WALL);
    }

    public static long monoNanos(byte[] r, int off) {
        return getLong(r, off + OFF_MONO);
    }

    public static int epoch(byte[] r, int off) {
        return getInt(r, off + OFF_EPOCH);
    }

    public static int keyId(byte[] r, int off) {
        return getInt(r, off + OFF_KEY_ID);
    }

    public static int kind(byte[] r, int off) {
        return getU16(r, off + OFF_KIND);
    }

    public static int payloadLength(byte[] r, int off) {
        return getInt(r, off + OFF_LENGTH);
    }

    /**
     * The header at {@code off} is of this version and agrees with {@code length}, the bytes
     * of header and payload (without the MAC); says nothing about the MAC.
     */
    public static boolean wellFormed(byte[] r, int off, int length) {
        return length >= HEADER && getU16(r, off + OFF_VERSION) == VERSION && payloadLength(r, off) == length - HEADER;
    }

    /** Little-endian field readers, for payloads (GAP, ROTATE, RECOVERY) as well as headers. */
    public static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static int getU16(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT.get(b, off));
    }

    /** Little-endian field writers into the caller's array, for the log's own payloads. */
    public static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    public static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static void putU16(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }
}
