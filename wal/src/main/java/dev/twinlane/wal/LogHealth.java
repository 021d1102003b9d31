package dev.twinlane.wal;

import java.nio.file.Path;

/**
 * A log's health, apart from the log itself: the I/O problems that left the chain intact (each
 * cleared by the next success of its operation) and the failure in the middle of a write after
 * which the log refuses appends until it is reopened. Each new problem is logged once and
 * counted; {@link #problem} is what {@link ChainedLog#status} reports.
 */
final class LogHealth {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");

    private final Path dir;
    private final String where;
    private WalMetrics metrics;
    private volatile String appendProblem;
    private volatile String syncProblem;
    private volatile String sealFileProblem;
    private volatile String keyStateProblem;
    private volatile String fatal;

    LogHealth(String name, Path dir) {
        this.dir = dir;
        this.where = "wal " + name + " " + dir;
    }

    /** Problems are counted here once the log has its meters. */
    void countIn(WalMetrics m) {
        this.metrics = m;
    }

    /** The first problem, the gravest first; null when healthy. */
    String problem() {
        return fatal != null ? fatal : appendProblem != null ? appendProblem
                : syncProblem != null ? syncProblem : keyStateProblem != null ? keyStateProblem : sealFileProblem;
    }

    /** Why appends are refused until the log is reopened, or null. */
    String fatal() {
        return fatal;
    }

    /** An I/O problem that left the chain intact: loud, counted, and cleared by the next success. */
    void ioFailure(String op, WalException e) {
        count(op);
        String msg = op + ": " + e.getMessage();
        boolean isNew;
        switch (op) {
            case "sync" -> {
                isNew = !msg.equals(syncProblem);
                syncProblem = msg;
            }
            case "key-state" -> {
                isNew = !msg.equals(keyStateProblem);
                keyStateProblem = msg;
            }
            case "seal-file" -> {
                isNew = !msg.equals(sealFileProblem);
                sealFileProblem = msg;
            }
            default -> {
                isNew = !msg.equals(appendProblem);
                appendProblem = msg;
            }
        }
        if (isNew) {
            LOG.log(System.Logger.Level.ERROR, where + ": " + msg);
        }
    }

    /** An unexpected failure in the middle of a write: the log refuses appends until reopened. */
    WalException fail(String what, Throwable t) {
        count("append");
        fatal = what + " failed: " + t;
        LOG.log(System.Logger.Level.ERROR, where + ": " + fatal + "; appends stop, reopen the log to recover");
        return new WalException("log " + dir + ": " + fatal, t);
    }

    void appendSucceeded() {
        if (appendProblem != null) {
            LOG.log(System.Logger.Level.INFO, where + ": appends resumed after: " + appendProblem);
            appendProblem = null;
        }
    }

    void syncSucceeded() {
        if (syncProblem != null) {
            LOG.log(System.Logger.Level.INFO, where + ": syncs resumed after: " + syncProblem);
            syncProblem = null;
        }
    }

    void keyStateSaved() {
        if (keyStateProblem != null) {
            LOG.log(System.Logger.Level.INFO, where + ": key state file written again after: " + keyStateProblem);
            keyStateProblem = null;
        }
    }

    void sealFileSaved() {
        if (sealFileProblem != null) {
            LOG.log(System.Logger.Level.INFO, where + ": seal file written again after: " + sealFileProblem);
            sealFileProblem = null;
        }
    }

    private void count(String op) {
        if (metrics != null) {
            metrics.ioError(op);
        }
    }
}
