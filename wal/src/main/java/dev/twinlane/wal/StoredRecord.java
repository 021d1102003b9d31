package dev.twinlane.wal;

import java.util.Arrays;
import dev.twinlane.wal.proof.RecordFormat;

/** Reads the fields of one record as stored (a document's bytes); see RecordFormat. */
final class StoredRecord {
    private StoredRecord() {
    }

    /** Length fields agree and the version is known; says nothing about the MAC. */
    static boolean wellFormed(byte[] d) {
        return d.length >= RecordFormat.OVERHEAD && RecordFormat.wellFormed(d, 0, d.length - RecordFormat.MAC);
    }

    static long seq(byte[] d) {
        return RecordFormat.seq(d, 0);
    }

    static long wallNanos(byte[] d) {
        return RecordFormat.wallNanos(d, 0);
    }

    static int epoch(byte[] d) {
        return RecordFormat.epoch(d, 0);
    }

    static int keyId(byte[] d) {
        return RecordFormat.keyId(d, 0);
    }

    static int kind(byte[] d) {
        return RecordFormat.kind(d, 0);
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
        return ChainVerifier.RecordMac.matches(h, key, prevMac, d, 0, macOffset(d), d, macOffset(d));
    }
}
