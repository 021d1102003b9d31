package dev.twinlane.wal;

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
     * Written after a restart that found torn documents at the tail (power loss). Payload (52 B):
     * int torn documents, long torn bytes, 32 B SHA-256 of them, long zeroed bytes.
     */
    public static final int RECOVERY = 0xFF04;

    private Kinds() {
    }

    public static String name(int kind) {
        switch (kind) {
            case GENESIS: return "GENESIS";
            case GAP: return "GAP";
            case SEAL: return "SEAL";
            case ROTATE: return "ROTATE";
            case RECOVERY: return "RECOVERY";
            default: return "kind-" + kind;
        }
    }

    static boolean isApp(int kind) {
        return kind >= 1 && kind <= MAX_APP_KIND;
    }
}
