package dev.twinlane.wal;

/**
 * The benchmarks' way to the log's allocation-free HMAC, which wal keeps package-private: this
 * class sits in wal's package on the bench's class path only (WalAppendBenchmark.macOwn).
 */
public final class HmacSha256Probe {
    private final HmacSha256 mac = new HmacSha256();

    public void init(byte[] key) {
        mac.init(key);
    }

    /** HMAC(key, prev[0..32) || header[0..40) || payload[0..size)) into out, as the appender chains a record. */
    public byte[] chain(byte[] prev, byte[] header, byte[] payload, int size, byte[] out) {
        mac.update(prev, 0, 32);
        mac.update(header, 0, 40);
        mac.update(payload, 0, size);
        mac.doFinal(out, 0);
        return out;
    }
}
