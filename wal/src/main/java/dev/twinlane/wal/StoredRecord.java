package dev.twinlane.wal;

import java.util.Arrays;

/** Reads the fields of one record as stored (a document's bytes); see RecordFormat. */
final class StoredRecord {
    private StoredRecord() {
    }

    /** Length fields agree and the version is known; says nothing about the MAC. */
    static boolean wellFormed(byte[] d) {
        return d.length >= RecordFormat.OVERHEAD
                && RecordFormat.getU16(d, RecordFormat.OFF_VERSION) == RecordFormat.VERSION
                && RecordFormat.getInt(d, RecordFormat.OFF_LENGTH) == d.length - RecordFormat.OVERHEAD;
    }

    static long seq(byte[] d) {
        return RecordFormat.getLong(d, RecordFormat.OFF_SEQ);
    }

    static long wallNanos(byte[] d) {
        return RecordFormat.getLong(d, RecordFormat.OFF_WALL);
    }

    static int epoch(byte[] d) {
        return RecordFormat.getInt(d, RecordFormat.OFF_EPOCH);
    }

    static int keyId(byte[] d) {
        return RecordFormat.getInt(d, RecordFormat.OFF_KEY_ID);
    }

    static int kind(byte[] d) {
        return RecordFormat.getU16(d, RecordFormat.OFF_KIND);
    }

    static int payloadLength(byte[] d) {
        return d.length - RecordFormat.OVERHEAD;
    }

    static int macOffset(byte[] d) {
        return d.length - RecordFormat.MAC;
    }

    static byte[] mac(byte[] d) {
        return Arrays.copyOfRange(d, macOffset(d), d.length);
    }

    /** True when MAC(key, prevMac || header || payload) equals the stored MAC (constant time). */
    static boolean macMatches(byte[] d, byte[] prevMac, byte[] key, HmacSha256 h) {
        h.init(key);
        h.update(prevMac, 0, RecordFormat.MAC);
        h.update(d, 0, macOffset(d));
        byte[] out = new byte[RecordFormat.MAC];
        h.doFinal(out, 0);
        h.erase();
        int diff = 0;
        int m = macOffset(d);
        for (int i = 0; i < RecordFormat.MAC; i++) {
            diff |= out[i] ^ d[m + i];
        }
        return diff == 0;
    }
}
