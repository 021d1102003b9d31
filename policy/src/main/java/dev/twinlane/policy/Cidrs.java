package dev.twinlane.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address arithmetic for networks: masking and the IPv4-mapped IPv6 form. */
final class Cidrs {
    private Cidrs() {
    }

    /** The address with every bit past {@code bits} cleared. */
    static byte[] mask(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] &= (byte) (0xff00 >> keep);
        }
        return out;
    }

    /**
     * ::ffff:a.b.c.d. Dual-stack sockets (the JVM's among them) reach IPv4 peers through
     * AF_INET6, where the hooks see only the mapped form, so every IPv4 rule is entered twice.
     */
    static byte[] mapped(byte[] v4) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress(); // bytes given: no lookup
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException("not 4 or 16 bytes: " + address.length);
        }
    }
}
