package dev.twinlane.agent;

import dev.twinlane.security.SecurityEvent;
import dev.twinlane.security.SecuritySink;
import dev.twinlane.wal.ChainAppender;

/**
 * The security lane's boundary with the security log: a kernel record is
 * chained under its tl_kind code, a gap as the log's own GAP record.
 */
final class SecurityLogSink implements SecuritySink {
    private final ChainAppender log;

    SecurityLogSink(ChainAppender log) {
        this.log = log;
    }

    @Override
    public void append(SecurityEvent e) {
        if (e.type() == SecurityEvent.Type.GAP) {
            log.gap(e.gapCount(), e.gapRing(), e.gapFromNs(), e.gapToNs());
        } else {
            log.append(e.kindCode(), e.data(), 0, e.length());
        }
    }
}
