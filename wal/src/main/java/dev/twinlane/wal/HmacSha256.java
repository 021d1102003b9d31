package dev.twinlane.wal;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) on the JDK's SHA-256, which uses the CPU's SHA instructions.
 * Not javax.crypto.Mac: its doFinal allocates (about 48 B per MAC, measured) and keeps a
 * copy of every key in a SecretKeySpec we cannot wipe. Here the pads are ours, reused and
 * zeroed when the key changes. Same result as Mac "HmacSHA256" (tested). Not thread-safe.
 */
final class HmacSha256 {
    public static final int LENGTH = 32;
    private static final int BLOCK = 64;
    private final MessageDigest md;
    private final byte[] ipad = new byte[BLOCK];
    private final byte[] opad = new byte[BLOCK];
    private final byte[] inner = new byte[LENGTH];

    public HmacSha256() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    /** Starts a new MAC under {@code key}; previous key material is overwritten. */
    public void init(byte[] key) {
        byte[] k = key;
        if (key.length > BLOCK) {
            md.reset();
            k = md.digest(key);
        }
        for (int i = 0; i < BLOCK; i++) {
            int b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        if (k != key) {
            Arrays.fill(k, (byte) 0);
        }
        md.reset();
        md.update(ipad);
    }

    public void update(byte[] b, int off, int len) {
        md.update(b, off, len);
    }

    public void update(byte[] b) {
        md.update(b, 0, b.length);
    }

    /** Writes the MAC to out[off..off+32) and starts the next MAC under the same key. */
    public void doFinal(byte[] out, int off) {
        try {
            md.digest(inner, 0, LENGTH);
            md.update(opad);
            md.update(inner);
            md.digest(out, off, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        md.update(ipad);
    }

    /** Forgets the key: pads and intermediate state are zeroed. */
    public void erase() {
        Arrays.fill(ipad, (byte) 0);
        Arrays.fill(opad, (byte) 0);
        Arrays.fill(inner, (byte) 0);
        md.reset();
    }

    static byte[] mac(byte[] key, byte[]... parts) {
        HmacSha256 h = new HmacSha256();
        h.init(key);
        for (byte[] p : parts) {
            h.update(p);
        }
        byte[] out = new byte[LENGTH];
        h.doFinal(out, 0);
        h.erase();
        return out;
    }
}
