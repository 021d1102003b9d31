package dev.twinlane.agent;

import java.io.IOException;
import java.util.List;

import dev.twinlane.records.LossSource;
import dev.twinlane.security.SecurityEvent;
import dev.twinlane.security.SecuritySink;
import dev.twinlane.wal.ChainAppender;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.WalException;

/**
 * The security lane's boundary with the security log: a kernel record is chained under its
 * tl_kind code, a gap as the log's own GAP record. Losses that an earlier run could not log
 * (the {@link LossJournal}) go first, as GAP records, as soon as the log takes appends: at the
 * start, or before the first record that the log takes; the journal forgets them once those
 * GAP records are durable.
 */
final class SecurityLogSink implements SecuritySink {
    private final ChainedLog chained;
    private final ChainAppender log;
    private final LossJournal journal;
    /** The journal's entries at the start; the first {@code written} of them are GAP records now. */
    private final List<LossJournal.Entry> earlier;
    private int written;
    private long firstGapSeq;
    private long lastGapSeq;
    private boolean forgotten;

    SecurityLogSink(ChainedLog log, LossJournal journal) {
        this.chained = log;
        this.log = log.appender();
        this.journal = journal;
        this.earlier = journal == null ? List.of() : journal.entries();
    }

    @Override
    public void append(SecurityEvent e) {
        if (written < earlier.size()) {
            writeEarlier();
        } else if (lastGapSeq > 0 && !forgotten && chained.durableSeq() >= lastGapSeq) {
            forgetEarlier();
        }
        if (e.type() == SecurityEvent.Type.GAP) {
            log.gap(e.gapCount(), e.gapRing(), e.gapFromNs(), e.gapToNs());
        } else {
            log.append(e.kindCode(), e.data(), 0, e.length());
        }
    }

    /** The log's timed seal while the lane has nothing to append (the log's only writer is this thread). */
    @Override
    public void tick() {
        log.sealIfDue();
    }

    /**
     * At the start, before the lane runs: the journal's losses as GAP records, made durable, then
     * forgotten by the journal. When the log cannot take them yet, one line; the lane's first
     * append that works writes them.
     */
    void recordEarlierLosses() {
        if (earlier.isEmpty()) {
            return;
        }
        try {
            writeEarlier();
            chained.syncNow();
        } catch (WalException e) {
            System.err.println("twinlane: the loss journal " + journal.path() + " names " + describe(earlier)
                    + " that an earlier run could not log; the security log cannot take their GAP records yet (" + e.getMessage()
                    + "): they are written before the first record it takes");
            return;
        }
        if (chained.durableSeq() >= lastGapSeq) {
            forgetEarlier();
        }
    }

    private void writeEarlier() {
        while (written < earlier.size()) {
            LossJournal.Entry en = earlier.get(written);
            long seq = log.gap(en.count(), en.ring(), en.fromNs(), en.toNs());   // throws, nothing written, when full
            if (written == 0) {
                firstGapSeq = seq;
            }
            lastGapSeq = seq;
            written++;
        }
        boolean otherBoot = earlier.stream().anyMatch(en -> !en.bootId().equals(LossJournal.bootId()));
        System.err.println("twinlane: wrote the loss journal's " + describe(earlier) + " (events an earlier run could not log)"
                + " as GAP record(s) at seq " + firstGapSeq + (lastGapSeq > firstGapSeq ? ".." + lastGapSeq : "")
                + (otherBoot ? "; their times are boot times of an earlier boot" : ""));
    }

    private void forgetEarlier() {
        forgotten = true;
        try {
            journal.remove(earlier);
        } catch (IOException e) {
            System.err.println("twinlane: the loss journal " + journal.path() + " could not forget the losses now in"
                    + " the log (" + e.getMessage() + "); a later start may record them a second time");
        }
    }

    /**
     * At the stop, once the log is closed: forgets the journal's entries whose GAP records are
     * durable (when the lane had no append after they became so).
     */
    void forgetEarlierIfDurable() {
        if (!forgotten && written == earlier.size() && lastGapSeq > 0 && chained.durableSeq() >= lastGapSeq) {
            forgetEarlier();
        }
    }

    static String describe(List<LossJournal.Entry> entries) {
        long total = 0;
        StringBuilder by = new StringBuilder();
        for (LossJournal.Entry en : entries) {
            total += en.count();
            by.append(by.length() == 0 ? "" : ", ").append(en.count()).append(' ').append(LossSource.describe(en.ring()));
        }
        return total + " lost events (" + by + ")";
    }
}
