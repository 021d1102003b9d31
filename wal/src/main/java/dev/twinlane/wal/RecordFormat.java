package dev.twinlane.wal;

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
 */
final class RecordFormat {
    static final int HEADER = 40;
    static final int MAC = 32;
    static final int OVERHEAD = HEADER + MAC;
    static final int VERSION = 1;

    static final int OFF_SEQ = 0;
    static final int OFF_WALL = 8;
    static final int OFF_MONO = 16;
    static final int OFF_EPOCH = 24;
    static final int OFF_KEY_ID = 28;
    static final int OFF_KIND = 32;
    static final int OFF_VERSION = 34;
    static final int OFF_LENGTH = 36;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private RecordFormat() {
    }

    static void writeHeader(byte[] h, long seq, long wallNanos, long monoNanos, int epoch, int keyId, int kind,
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

    static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    static int getU16(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT.get(b, off));
    }

    static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    static void putU16(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }
}
