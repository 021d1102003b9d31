package dev.twinlane.wal;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import dev.twinlane.wal.proof.Kinds;

/** Outcome of {@link ChainVerifier#verify}: OK with counts, or the first failure. */
public final class VerifyReport {
    private final Failure failure;
    private final long seq;
    private final String detail;
    private final Map<Integer, Long> counts;
    private final long lastSeq;
    private final long lastSealSeq;
    private final long tornDiscarded;
    private final long externalSealSeq;
    private final Map<Integer, Long> gapLost;

    VerifyReport(Failure failure, long seq, String detail, Map<Integer, Long> counts, long lastSeq, long lastSealSeq,
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
