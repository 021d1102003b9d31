package dev.twinlane.wal;

import dev.twinlane.wal.proof.RecordFormat;

/**
 * Checks the MACs of one log's records under one root key, for a reader that holds the root key
 * and receives records one by one, perhaps out of order (a SIEM consumer). Unlike the writer,
 * it may need an older epoch than the one it holds; it then derives the key from K_0 again.
 * Not thread-safe; {@link #erase} when done.
 */
public final class RecordMacVerifier {
    /** Beyond this a record's epoch is refused unchecked: deriving it would cost minutes. */
    static final int MAX_EPOCH = 50_000_000;
    private final KeyRing.RootKey root;
    private final byte[] logId;
    private final EpochKeys keys = new EpochKeys();
    private final HmacSha256 hmac = new HmacSha256();

    public RecordMacVerifier(KeyRing.RootKey root, byte[] logId) {
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
