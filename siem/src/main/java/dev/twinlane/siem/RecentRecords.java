package dev.twinlane.siem;

import java.security.MessageDigest;
import java.util.Arrays;

import dev.twinlane.wal.proof.RecordFormat;

/**
 * The MACs of a log's last {@link ChainCheck#WINDOW} accepted records by seq, to tell a harmless
 * re-send from a conflicting copy, and where no root key can re-verify a copy, a digest of each
 * record's bytes too. Flat arrays that grow to the window as the log does, rather than two small
 * arrays per record that each outlived many young collections.
 */
final class RecentRecords {
    private static final int FIRST = 1 << 10;
    private static final int DIGEST = 16;
    private long[] seqs = new long[FIRST];
    private byte[] macs = new byte[FIRST * RecordFormat.MAC];
    /** Null when every copy's MAC can be checked with the root key instead. */
    private byte[] digests;
    private final MessageDigest sha256;
    /** The first seq added: until the ring spans the window, it grows rather than wrap onto a seq since then. */
    private long first = Long.MIN_VALUE;

    /** {@code withDigests}: keep a digest of each record's bytes (no root key to re-verify copies with). */
    RecentRecords(boolean withDigests) {
        sha256 = withDigests ? sha256() : null;
        digests = withDigests ? new byte[FIRST * DIGEST] : null;
    }

    void add(long seq, byte[] mac, byte[] record) {
        if (first == Long.MIN_VALUE) {
            first = seq;
        }
        while (seqs.length < ChainCheck.WINDOW && seq - first >= seqs.length) {
            grow();
        }
        int slot = slot(seq);
        seqs[slot] = seq;
        System.arraycopy(mac, 0, macs, slot * RecordFormat.MAC, RecordFormat.MAC);
        if (digests != null) {
            System.arraycopy(sha256.digest(record), 0, digests, slot * DIGEST, DIGEST);
        }
    }

    /** Whether {@code seq} is still here. */
    boolean has(long seq) {
        return seqs[slot(seq)] == seq;
    }

    /** Whether {@code seq} is here with this MAC. */
    boolean macIs(long seq, byte[] mac) {
        int at = slot(seq) * RecordFormat.MAC;
        return has(seq) && Arrays.equals(macs, at, at + RecordFormat.MAC, mac, 0, RecordFormat.MAC);
    }

    /** Whether {@code record} has the bytes accepted for {@code seq}; only when kept with digests. */
    boolean bytesAre(long seq, byte[] record) {
        int at = slot(seq) * DIGEST;
        return has(seq) && Arrays.equals(digests, at, at + DIGEST, sha256.digest(record), 0, DIGEST);
    }

    boolean keepsDigests() {
        return digests != null;
    }

    private int slot(long seq) {
        return (int) (seq & (seqs.length - 1));
    }

    private void grow() {
        long[] oldSeqs = seqs;
        byte[] oldMacs = macs;
        byte[] oldDigests = digests;
        int n = oldSeqs.length * 2;
        seqs = new long[n];
        macs = new byte[n * RecordFormat.MAC];
        digests = oldDigests == null ? null : new byte[n * DIGEST];
        for (int i = 0; i < oldSeqs.length; i++) {
            if (oldSeqs[i] != 0) {
                int to = slot(oldSeqs[i]);
                seqs[to] = oldSeqs[i];
                System.arraycopy(oldMacs, i * RecordFormat.MAC, macs, to * RecordFormat.MAC, RecordFormat.MAC);
                if (digests != null) {
                    System.arraycopy(oldDigests, i * DIGEST, digests, to * DIGEST, DIGEST);
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
