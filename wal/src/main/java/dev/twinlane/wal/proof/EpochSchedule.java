package dev.twinlane.wal.proof;

/**
 * Which epoch a record must be in, from its sequence number and time alone, so that the
 * verifier can insist on it (the check journald lacked in CVE-2023-31439: a record MACed
 * with a later epoch's key was accepted).
 *
 * <pre>
 * epoch(i)    = countPart(seq_i) + timePart(i)
 * countPart   = (seq - 1) / recordsPerEpoch                       (0 when disabled)
 * timePart(i) = timePart(i-1) + 1  if wall_i >= created + (timePart(i-1) + 1) * epochNanos
 *               timePart(i-1)      otherwise                        (0 when disabled; genesis 0)
 * </pre>
 * The time part moves at most one epoch per record, so a clock that jumps ahead costs one
 * evolution per record, and a clock that steps back never moves it back. With the count part
 * on, a record sealed with the key of a later epoch than its position allows is detected
 * whatever its timestamp says.
 */
public final class EpochSchedule {
    private final long recordsPerEpoch;
    private final long epochNanos;
    private final long createdNanos;

    EpochSchedule(long recordsPerEpoch, long epochNanos, long createdNanos) {
        if (recordsPerEpoch < 0 || epochNanos < 0) {
            throw new IllegalArgumentException("epoch intervals must be >= 0");
        }
        if (recordsPerEpoch == 0 && epochNanos == 0) {
            throw new IllegalArgumentException("the key must evolve by record count, by time or both");
        }
        this.recordsPerEpoch = recordsPerEpoch;
        this.epochNanos = epochNanos;
        this.createdNanos = createdNanos;
    }

    public int countPart(long seq) {
        return recordsPerEpoch == 0 ? 0 : (int) ((seq - 1) / recordsPerEpoch);
    }

    /** Time part of a record given the previous record's time part and this record's wall clock. */
    public int nextTimePart(int previous, long wallNanos) {
        if (epochNanos == 0) {
            return 0;
        }
        long boundary = createdNanos + (previous + 1L) * epochNanos;
        return wallNanos >= boundary ? previous + 1 : previous;
    }

    /** First wall-clock time at which the time part moves past {@code timePart}. */
    public long timeBoundary(int timePart) {
        return epochNanos == 0 ? Long.MAX_VALUE : createdNanos + (timePart + 1L) * epochNanos;
    }

    /** First seq whose count part is above {@code countPart}. */
    public long countBoundary(int countPart) {
        return recordsPerEpoch == 0 ? Long.MAX_VALUE : (countPart + 1L) * recordsPerEpoch + 1;
    }

    public int epoch(long seq, int timePart) {
        return countPart(seq) + timePart;
    }
}
