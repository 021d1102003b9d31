package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Walks a log from its genesis with the root key(s) and says OK or where and how it first
 * fails: a {@link Report}, its {@link Failure} class. Reads the cycle files directly and
 * read-only (see {@link CycleFiles}); the walk is {@link ChainWalk}. {@link RecordMac} checks
 * records one by one, for readers far from the log.
 *
 * <p>On the first record that does not continue the chain, the rest of the log is searched
 * to name the failure: the expected record further on (reordered when the misplaced record is
 * genuine, inserted when it is not), absent (missing), present but MACed with another root
 * key or another epoch's key (wrong-key), or altered (modified). A RECOVERY record written by
 * the writer after power loss may excuse the torn documents it names, exactly.
 */
public final class ChainVerifier {
    private final KeyRing ring;
    private final byte[] sealPublicKey;

    /** {@code sealPublicKey} may be null: then the key bound into the genesis record is used. */
    public ChainVerifier(KeyRing ring, byte[] sealPublicKey) {
        this.ring = ring;
        this.sealPublicKey = sealPublicKey == null ? null : sealPublicKey.clone();
    }

    /** Verifies {@code dir}; {@code sealFile} (may be null) is a seal kept elsewhere. */
    public Report verify(Path dir, Path sealFile) throws IOException {
        DurableSeal external = sealFile == null ? null : DurableSeal.read(sealFile);
        return new ChainWalk(ring, sealPublicKey, dir, external).run();
    }

    /** Outcome of {@link #verify}: OK with counts, or the first failure. */
    public static final class Report {
        private final Failure failure;
        private final long seq;
        private final String detail;
        private final Map<Integer, Long> counts;
        private final long lastSeq;
        private final long lastSealSeq;
        private final long tornDiscarded;
        private final long externalSealSeq;
        private final Map<Integer, Long> gapLost;

        Report(Failure failure, long seq, String detail, Map<Integer, Long> counts, long lastSeq, long lastSealSeq,
               long tornDiscarded, long externalSealSeq, Map<Integer, Long> gapLost) {
            this.failure = failure;
            this.seq = seq;
            this.detail = detail;
            this.counts = Collections.unmodifiableMap(new TreeMap<>(counts));
            this.lastSeq = lastSeq;
            this.lastSealSeq = lastSealSeq;
            this.tornDiscarded = tornDiscarded;
            this.externalSealSeq = externalSealSeq;
            this.gapLost = Collections.unmodifiableMap(new TreeMap<>(gapLost));
        }

        public boolean ok() {
            return failure == null;
        }

        /** Null when OK. */
        public Failure failure() {
            return failure;
        }

        /** First failing sequence number (0 when the failure has none, e.g. an empty directory). */
        public long seq() {
            return seq;
        }

        public String detail() {
            return detail;
        }

        public Map<Integer, Long> counts() {
            return counts;
        }

        /**
         * The events the verified GAP records say were lost, summed by their {@code ring} field
         * (the producer's numbering; the log does not interpret it).
         */
        public Map<Integer, Long> gapLost() {
            return gapLost;
        }

        public long lastSeq() {
            return lastSeq;
        }

        public long records() {
            long n = 0;
            for (long c : counts.values()) {
                n += c;
            }
            return n;
        }

        public int exitCode() {
            return failure == null ? 0 : failure.exitCode();
        }

        /** The line `twinlane verify` prints, kinds named by {@link Kinds#name}. */
        public String line() {
            return line(Kinds::name);
        }

        /** The same, kinds named by the producer, who knows what its kinds (1..{@link Kinds#MAX_APP_KIND}) mean. */
        public String line(IntFunction<String> kindName) {
            if (failure != null) {
                return "FAIL " + (seq > 0 ? "seq " + seq + ": " : "") + failure.label() + " (" + detail + ")";
            }
            StringBuilder sb = new StringBuilder("OK ").append(records()).append(" records, seq 1..").append(lastSeq);
            sb.append(lastSealSeq > 0 ? ", last SEAL at seq " + lastSealSeq : ", no SEAL");
            if (externalSealSeq > 0) {
                sb.append(", matches seal file at seq ").append(externalSealSeq);
            }
            if (tornDiscarded > 0) {
                sb.append(", ").append(tornDiscarded).append(" torn document(s) discarded by RECOVERY");
            }
            sb.append(':');
            String sep = " ";
            for (Map.Entry<Integer, Long> e : counts.entrySet()) {
                sb.append(sep).append(kindName.apply(e.getKey())).append(' ').append(e.getValue());
                sep = ", ";
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return line();
        }
    }

    /** Classes of verification failure, each with its exit code for `twinlane verify`. */
    public enum Failure {
        /** A record's bytes changed (its MAC no longer verifies, nothing else explains it). */
        MODIFIED("modified", 3),
        /** A record is gone: the next record present has a higher seq. */
        MISSING("missing", 4),
        /** A record that is not part of the chain sits where the next record should be. */
        INSERTED("inserted", 5),
        /** The expected record exists, genuine, but further on. */
        REORDERED("reordered", 6),
        /** The log ends before a seal (kept elsewhere) says it reached. */
        TRUNCATED("truncated", 7),
        /** MACed with another key: a foreign root key, or another epoch's key than its position allows. */
        WRONG_KEY("wrong-key", 8),
        /** The files cannot be read as a log at all. */
        UNREADABLE("unreadable", 9);

        private final String label;
        private final int exitCode;

        Failure(String label, int exitCode) {
            this.label = label;
            this.exitCode = exitCode;
        }

        public String label() {
            return label;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * Checks the MACs of one log's records under one root key, for a reader that holds the root key
     * and receives records one by one, perhaps out of order (a SIEM consumer). Unlike the writer,
     * it may need an older epoch than the one it holds; it then derives the key from K_0 again.
     * Not thread-safe; {@link #erase} when done.
     */
    public static final class RecordMac {
        /** Beyond this a record's epoch is refused unchecked: deriving it would cost minutes. */
        static final int MAX_EPOCH = 50_000_000;
        private final KeyRing.RootKey root;
        private final byte[] logId;
        private final EpochKeys keys = new EpochKeys();
        private final HmacSha256 hmac = new HmacSha256();

        public RecordMac(KeyRing.RootKey root, byte[] logId) {
            this.root = root;
            this.logId = logId.clone();
        }

        /**
         * Whether {@code mac} = HMAC-SHA256(K_epoch, prevMac || record[off..off+length)), where the
         * record is header and payload without its MAC.
         */
        public boolean verifies(int epoch, byte[] prevMac, byte[] record, int off, int length, byte[] mac) {
            if (epoch < 0 || epoch > MAX_EPOCH || mac.length != RecordFormat.MAC) {
                return false;
            }
            if (keys.epoch() < 0 || epoch < keys.epoch()) {
                keys.start(root, logId);
            }
            keys.evolveTo(epoch);
            return matches(hmac, keys.key(), prevMac, record, off, length, mac, 0);
        }

        public void erase() {
            keys.erase();
            hmac.erase();
        }

        /** The one place a record MAC is computed for checking: constant-time compare with {@code mac[macOff..]}. */
        static boolean matches(HmacSha256 h, byte[] key, byte[] prevMac, byte[] r, int off, int length, byte[] mac,
                               int macOff) {
            h.init(key);
            h.update(prevMac, 0, RecordFormat.MAC);
            h.update(r, off, length);
            byte[] computed = new byte[RecordFormat.MAC];
            h.doFinal(computed, 0);
            h.erase();
            int diff = 0;
            for (int i = 0; i < RecordFormat.MAC; i++) {
                diff |= computed[i] ^ mac[macOff + i];
            }
            return diff == 0;
        }
    }

    /** Data documents of all cycle files in order, from a position. */
    static final class Docs implements AutoCloseable {
        private final List<Path> files;
        private final int maxDocument;
        private int fileIndex;
        private CycleFiles.Reader reader;
        private CycleFiles.End lastEnd;
        private long lastEndPosition;
        private int lastBadLength;

        Docs(List<Path> files, int fileIndex, long offset) throws IOException {
            this(files, fileIndex, offset, CycleFiles.LENGTH_MASK);
        }

        /** With {@code maxDocument}: a header claiming more ends the walk there (see {@link CycleFiles.End#BAD_LENGTH}). */
        Docs(List<Path> files, int fileIndex, long offset, int maxDocument) throws IOException {
            this.files = files;
            this.fileIndex = fileIndex;
            this.maxDocument = maxDocument;
            if (fileIndex < files.size()) {
                reader = new CycleFiles.Reader(files.get(fileIndex), offset, maxDocument);
            }
        }

        CycleFiles.Doc next() throws IOException {
            while (reader != null) {
                CycleFiles.Doc d = reader.next();
                if (d != null) {
                    return d;
                }
                lastEnd = reader.end();
                lastEndPosition = reader.position();
                lastBadLength = reader.badLength();
                reader.close();
                reader = null;
                if (lastEnd != CycleFiles.End.BAD_LENGTH && fileIndex + 1 < files.size()) {
                    reader = new CycleFiles.Reader(files.get(++fileIndex), 0, maxDocument);
                }
            }
            return null;
        }

        int fileIndex() {
            return fileIndex;
        }

        long offset() {
            return reader == null ? 0 : reader.position();
        }

        /** After next() returned null: why the documents of file {@link #fileIndex()} ended, and where. */
        CycleFiles.End lastEnd() {
            return lastEnd;
        }

        long lastEndPosition() {
            return lastEndPosition;
        }

        int lastBadLength() {
            return lastBadLength;
        }

        @Override
        public void close() throws IOException {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }
}
