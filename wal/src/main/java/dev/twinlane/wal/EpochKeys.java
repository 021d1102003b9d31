package dev.twinlane.wal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The forward-secure key chain of one root key: K_0 = HMAC(root, "twinlane-wal k0" || logId),
 * K_{e+1} = HMAC(K_e, "evolve"). Evolving overwrites K_e in place, so a key taken from memory
 * today derives nothing older. The root key is never stored here.
 */
final class EpochKeys {
    private static final byte[] K0_LABEL = "twinlane-wal k0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVOLVE = "evolve".getBytes(StandardCharsets.US_ASCII);

    private final HmacSha256 hmac = new HmacSha256();
    private final byte[] key = new byte[HmacSha256.LENGTH];
    private int keyId;
    private int epoch = -1;

    /** Positions the chain at epoch 0 of {@code root}. */
    void start(KeyRing.RootKey root, byte[] logId) {
        hmac.init(root.secret());
        hmac.update(K0_LABEL);
        hmac.update(logId);
        hmac.doFinal(key, 0);
        hmac.erase();
        keyId = root.id();
        epoch = 0;
    }

    /** Positions the chain at {@code epoch} of key {@code keyId} with {@code k} (a key state file). */
    void startAt(int keyId, int epoch, byte[] k) {
        System.arraycopy(k, 0, key, 0, key.length);
        this.keyId = keyId;
        this.epoch = epoch;
    }

    /** Takes over {@code other}'s position (the caller erases {@code other}). */
    void set(EpochKeys other) {
        System.arraycopy(other.key, 0, key, 0, key.length);
        keyId = other.keyId;
        epoch = other.epoch;
    }

    /** Moves forward to {@code target}; going back is impossible by design. */
    void evolveTo(int target) {
        if (target < epoch) {
            throw new IllegalStateException("epoch " + target + " is older than the current key (" + epoch + ")");
        }
        while (epoch < target) {
            hmac.init(key);
            hmac.update(EVOLVE);
            hmac.doFinal(key, 0); // overwrites K_e with K_{e+1}
            hmac.erase();
            epoch++;
        }
    }

    byte[] key() {
        return key;
    }

    int epoch() {
        return epoch;
    }

    int keyId() {
        return keyId;
    }

    void erase() {
        Arrays.fill(key, (byte) 0);
        hmac.erase();
        epoch = -1;
    }

    /** An independent chain at the same point, to try a later epoch without losing this one. */
    EpochKeys copy() {
        EpochKeys c = new EpochKeys();
        System.arraycopy(key, 0, c.key, 0, key.length);
        c.keyId = keyId;
        c.epoch = epoch;
        return c;
    }

    /** Key of {@code epoch} under {@code root}, for the verifier. */
    static byte[] keyAt(KeyRing.RootKey root, byte[] logId, int epoch) {
        EpochKeys k = new EpochKeys();
        k.start(root, logId);
        k.evolveTo(epoch);
        byte[] out = k.key.clone();
        k.erase();
        return out;
    }
}
