package dev.twinlane.wal.proof;

/**
 * Record kinds. The log does not interpret application kinds (1..0xFEFF); it only writes
 * and checks its own kinds, which live above them.
 */
public final class Kinds {
    public static final int MAX_APP_KIND = 0xFEFF;
    /** First record: the log's identity and epoch policy; MAC_0 is derived from it (payload: {@link Genesis}). */
    public static final int GENESIS = 0xFF00;
    /**
     * Lost events reported by the producer; never imputed. Payload (32 B): long lost, int ring,
     * int 0, long fromNanos, long toNanos.
     */
    public static final int GAP = 0xFF01;
    /** Ed25519 signature over (seq, MAC, time, log id) of the record before it (payload: {@link Seal}). */
    public static final int SEAL = 0xFF02;
    /** From the next record on, epoch keys descend from another root key. Payload (4 B): int next key id. */
    public static final int ROTATE = 0xFF03;
    /**
     * Written after every restart that did not follow a clean close (kill -9, crash, power loss),
     * first thing, before any other record. Payload (72 B; records of older writers have only the
     * first 52): int torn documents, long torn bytes, 32 B SHA-256 of those documents (complete
     * documents after the last good record that a power loss left without their contents; the
     * verifier excuses exactly these), long zeroed bytes (a killed writer's partial write), long
     * last seq kept (the record this one follows, the chain's last record found and made durable),
     * long seq known durable before the restart (seal or identity file; 0 unknown), int flags
     * ({@link #RECOVERY_NOT_CLOSED}, {@link #RECOVERY_NEW_BOOT}, {@link #RECOVERY_NO_IDENTITY}).
     */
    public static final int RECOVERY = 0xFF04;
    public static final int RECOVERY_LENGTH = 72;
    public static final int RECOVERY_V1_LENGTH = 52;
    /** RECOVERY flag: the previous writer left no clean-close marker. */
    public static final int RECOVERY_NOT_CLOSED = 1;
    /** RECOVERY flag: the machine booted since the log was opened (a power loss may have torn the tail). */
    public static final int RECOVERY_NEW_BOOT = 2;
    /** RECOVERY flag: no identity file was found for the log (first start with one, or it was removed). */
    public static final int RECOVERY_NO_IDENTITY = 4;
    /**
     * Second record of a log started in place of one that was damaged, missing or not the one the
     * writer remembered (only when told to: {@code ChainedLog.Builder.buildStartingNewLogIfDamaged}).
     * Payload: 16 B previous log id (zero when unknown), long its last seq known good, long its
     * first bad seq (0 when none), u16 cause (1 damaged, 2 missing, 3 foreign log in its place,
     * 4 shorter than it was durable), u16 r, r bytes the operator's reason (UTF-8), u16 p, p bytes
     * the problem the start found (UTF-8). The previous log's files are kept, untouched, in
     * {@code DIR/retired-...}.
     */
    public static final int NEW_LOG = 0xFF05;

    private Kinds() {
    }

    public static String name(int kind) {
        switch (kind) {
            case GENESIS: return "GENESIS";
            case GAP: return "GAP";
            case SEAL: return "SEAL";
            case ROTATE: return "ROTATE";
            case RECOVERY: return "RECOVERY";
            case NEW_LOG: return "NEW_LOG";
            default: return "kind-" + kind;
        }
    }

    /** An application's kind (1..{@link #MAX_APP_KIND}), not one of the log's own. */
    public static boolean isApp(int kind) {
        return kind >= 1 && kind <= MAX_APP_KIND;
    }
}
