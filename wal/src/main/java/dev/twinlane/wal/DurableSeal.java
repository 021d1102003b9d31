package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import dev.twinlane.wal.proof.Seal;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A {@link Seal} as the writer keeps it: with the SEAL record that carried it and where that
 * record is. Written, once durable, to the side file seal.latest (whose copies kept elsewhere
 * reveal a truncated tail) and into the identity file; recovery starts reading at its record.
 */
final class DurableSeal {
    final long seq;
    final byte[] mac;
    final long timeNanos;
    final byte[] logId;
    final byte[] signature;
    /** Seq of the SEAL record that carried this seal (side file only; 0 when unknown). */
    final long recordSeq;
    /**
     * Where that SEAL record is: its cycle file's name and the offset of its document header
     * (side file only; null and -1 when unknown). The writer's recovery starts reading there.
     */
    final String recordFile;
    final long recordOffset;

    DurableSeal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature, long recordSeq) {
        this(seq, mac, timeNanos, logId, signature, recordSeq, null, -1);
    }

    DurableSeal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature, long recordSeq, String recordFile,
         long recordOffset) {
        this.seq = seq;
        this.mac = mac.clone();
        this.timeNanos = timeNanos;
        this.logId = logId.clone();
        this.signature = signature.clone();
        this.recordSeq = recordSeq;
        this.recordFile = recordFile;
        this.recordOffset = recordOffset;
    }

    static DurableSeal sign(SealKey key, byte[] logId, long seq, byte[] mac, long timeNanos) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        key.sign(Seal.signedBytes(logId, seq, mac, timeNanos), sig, 0);
        return new DurableSeal(seq, mac, timeNanos, logId, sig, 0);
    }

    /** The signed statement alone, as readers far from the log see it. */
    Seal seal() {
        return Seal.of(seq, mac, timeNanos, logId, signature);
    }

    boolean verify(byte[] publicKey) {
        return seal().verify(publicKey);
    }

    boolean describes(long seq, byte[] mac, byte[] logId) {
        return seal().describes(seq, mac, logId);
    }

    DurableSeal withRecordSeq(long s) {
        return new DurableSeal(seq, mac, timeNanos, logId, signature, s);
    }

    /** This seal, carried by the SEAL record {@code s} whose document starts at {@code offset} of {@code file}. */
    DurableSeal withRecord(long s, String file, long offset) {
        return new DurableSeal(seq, mac, timeNanos, logId, signature, s, file, offset);
    }

    /** Same statement and signature (where it is stored aside). */
    boolean sameAs(DurableSeal o) {
        return o != null && seq == o.seq && timeNanos == o.timeNanos && Arrays.equals(mac, o.mac)
                && Arrays.equals(logId, o.logId) && Arrays.equals(signature, o.signature);
    }

    void encode(byte[] p, int off) {
        seal().encode(p, off);
    }

    /** The seal a SEAL record's payload carries (that record being {@code recordSeq}), or null. */
    static DurableSeal decode(byte[] p, int off, int len, long recordSeq) {
        Seal s = Seal.decode(p, off, len);
        return s == null ? null : new DurableSeal(s.seq(), s.mac(), s.timeNanos(), s.logId(), s.signature(), recordSeq);
    }

    String toText() {
        return "# twinlane-wal seal: latest durable SEAL of one log; keep copies off-host\n" + fields("");
    }

    /** The seal as key=value lines, each key prefixed (the identity file carries one too). */
    String fields(String prefix) {
        return prefix + "log-id=" + KeyFiles.hex(logId) + "\n"
                + prefix + "seq=" + seq + "\n"
                + prefix + "mac=" + KeyFiles.hex(mac) + "\n"
                + prefix + "time-nanos=" + timeNanos + "\n"
                + prefix + "signature=" + KeyFiles.hex(signature) + "\n"
                + prefix + "seal-record-seq=" + recordSeq + "\n"
                + (recordFile == null ? "" : prefix + "seal-record-file=" + recordFile + "\n"
                + prefix + "seal-record-offset=" + recordOffset + "\n");
    }

    void writeTo(Path file) throws IOException {
        KeyFiles.writeAtomically(file, toText().getBytes(StandardCharsets.US_ASCII), false);
    }

    /** Reads a side file; one-line WalException when it is missing or malformed. */
    static DurableSeal read(Path file) {
        Map<String, String> kv;
        try {
            kv = keyValues(file);
        } catch (NoSuchFileException e) {
            throw new WalException("seal file " + file + " does not exist");
        } catch (IOException e) {
            throw new WalException("cannot read seal file " + file + ": " + e.getMessage());
        }
        DurableSeal s = fromFields(kv, "", "seal file " + file);
        if (s == null) {
            throw new WalException("seal file " + file + " is not a twinlane-wal seal (missing or bad field)");
        }
        return s;
    }

    static Map<String, String> keyValues(Path file) throws IOException {
        Map<String, String> kv = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return kv;
    }

    /** The seal in {@code kv} under {@code prefix}, or null when a field is missing or bad. */
    static DurableSeal fromFields(Map<String, String> kv, String prefix, String what) {
        try {
            String file = kv.get(prefix + "seal-record-file");
            long offset = Long.parseLong(kv.getOrDefault(prefix + "seal-record-offset", "-1"));
            if (file != null && (file.isEmpty() || file.contains("/"))) {
                return null;
            }
            return new DurableSeal(Long.parseLong(kv.get(prefix + "seq")),
                    KeyFiles.unhex(kv.get(prefix + "mac"), 32, what + " mac"),
                    Long.parseLong(kv.get(prefix + "time-nanos")),
                    KeyFiles.unhex(kv.get(prefix + "log-id"), 16, what + " log-id"),
                    KeyFiles.unhex(kv.get(prefix + "signature"), 64, what + " signature"),
                    Long.parseLong(kv.getOrDefault(prefix + "seal-record-seq", "0")), file, file == null ? -1 : offset);
        } catch (NullPointerException | NumberFormatException | WalException e) {
            return null;
        }
    }
}
