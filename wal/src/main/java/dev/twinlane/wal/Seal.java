package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A signed statement "record {@code seq} of log {@code logId} had MAC {@code mac} at
 * {@code timeNanos}". Carried by SEAL records (128-byte payload) and, once durable, by the
 * side file seal.latest, whose copies kept elsewhere reveal a truncated tail.
 */
public final class Seal {
    static final int PAYLOAD = 128;
    private static final byte[] LABEL = "twinlane-wal seal v1".getBytes(StandardCharsets.US_ASCII);

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

    Seal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature, long recordSeq) {
        this(seq, mac, timeNanos, logId, signature, recordSeq, null, -1);
    }

    Seal(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature, long recordSeq, String recordFile,
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

    /** A seal received elsewhere (a SIEM's seals topic), to be checked with {@link #verify}. */
    public static Seal of(long seq, byte[] mac, long timeNanos, byte[] logId, byte[] signature) {
        if (mac.length != 32 || logId.length != 16 || signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("a seal has a 32-byte MAC, a 16-byte log id and a 64-byte signature");
        }
        return new Seal(seq, mac, timeNanos, logId, signature, 0);
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

    static byte[] message(byte[] logId, long seq, byte[] mac, long timeNanos) {
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

    static Seal sign(SealKey key, byte[] logId, long seq, byte[] mac, long timeNanos) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        key.sign(message(logId, seq, mac, timeNanos), sig, 0);
        return new Seal(seq, mac, timeNanos, logId, sig, 0);
    }

    public boolean verify(byte[] publicKey) {
        byte[] m = message(logId, seq, mac, timeNanos);
        try {
            return Ed25519.verify(signature, 0, publicKey, 0, m, 0, m.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    Seal withRecordSeq(long s) {
        return new Seal(seq, mac, timeNanos, logId, signature, s);
    }

    /** This seal, carried by the SEAL record {@code s} whose document starts at {@code offset} of {@code file}. */
    Seal withRecord(long s, String file, long offset) {
        return new Seal(seq, mac, timeNanos, logId, signature, s, file, offset);
    }

    /** Same statement and signature (where it is stored aside). */
    boolean sameAs(Seal o) {
        return o != null && seq == o.seq && timeNanos == o.timeNanos && Arrays.equals(mac, o.mac)
                && Arrays.equals(logId, o.logId) && Arrays.equals(signature, o.signature);
    }

    void encode(byte[] p, int off) {
        RecordFormat.putLong(p, off, seq);
        System.arraycopy(mac, 0, p, off + 8, 32);
        RecordFormat.putLong(p, off + 40, timeNanos);
        System.arraycopy(logId, 0, p, off + 48, 16);
        System.arraycopy(signature, 0, p, off + 64, 64);
    }

    /** The seal a SEAL record's payload carries, or null when the payload is not one. */
    public static Seal decode(byte[] p, int off, int len) {
        return decode(p, off, len, 0);
    }

    static Seal decode(byte[] p, int off, int len, long recordSeq) {
        if (len != PAYLOAD) {
            return null;
        }
        return new Seal(RecordFormat.getLong(p, off), Arrays.copyOfRange(p, off + 8, off + 40),
                RecordFormat.getLong(p, off + 40), Arrays.copyOfRange(p, off + 48, off + 64),
                Arrays.copyOfRange(p, off + 64, off + 128), recordSeq);
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
    public static Seal read(Path file) {
        Map<String, String> kv;
        try {
            kv = keyValues(file);
        } catch (NoSuchFileException e) {
            throw new WalException("seal file " + file + " does not exist");
        } catch (IOException e) {
            throw new WalException("cannot read seal file " + file + ": " + e.getMessage());
        }
        Seal s = fromFields(kv, "", "seal file " + file);
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
    static Seal fromFields(Map<String, String> kv, String prefix, String what) {
        try {
            String file = kv.get(prefix + "seal-record-file");
            long offset = Long.parseLong(kv.getOrDefault(prefix + "seal-record-offset", "-1"));
            if (file != null && (file.isEmpty() || file.contains("/"))) {
                return null;
            }
            return new Seal(Long.parseLong(kv.get(prefix + "seq")),
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
