package dev.twinlane.siem;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The forward-secure epoch key of one log under one root key (wal/EpochKeys.java):
 * K_0 = HMAC(root, "twinlane-wal k0" || logId), K_{e+1} = HMAC(K_e, "evolve"); and the record
 * MAC under it: HMAC-SHA256(K_epoch, MAC_prev || header || payload).
 */
final class EpochKey {
    private static final byte[] K0_LABEL = "twinlane-wal k0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVOLVE = "evolve".getBytes(StandardCharsets.US_ASCII);
    private final Mac mac;
    private final byte[] root;
    private final byte[] logId;
    private byte[] key;
    private int epoch = -1;
    private boolean macReady;

    EpochKey(byte[] root, byte[] logId) {
        this.root = root;
        this.logId = logId;
        try {
            mac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] hmac(byte[] k, byte[]... parts) {
        try {
            mac.init(new SecretKeySpec(k, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            macReady = false;
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Positions at {@code e} (from K_0 again when going back, which only a verifier may do). */
    private void at(int e) {
        if (e < epoch || epoch < 0) {
            key = hmac(root, K0_LABEL, logId);
            epoch = 0;
        }
        while (epoch < e) {
            key = hmac(key, EVOLVE);
            epoch++;
        }
    }

    /** Whether {@code mac} = HMAC(K_e, prev || record[off..off+len)). */
    boolean verifies(int e, byte[] prev, byte[] record, int off, int len, byte[] expected) {
        if (e < 0 || e > 50_000_000) {
            return false;
        }
        if (e != epoch || !macReady) {
            at(e);
            try {
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException ex) {
                throw new IllegalStateException(ex);
            }
            macReady = true;
        }
        mac.update(prev);
        mac.update(record, off, len);
        byte[] out = mac.doFinal();
        return java.security.MessageDigest.isEqual(out, expected);
    }

    void erase() {
        if (key != null) {
            Arrays.fill(key, (byte) 0);
        }
    }
}
