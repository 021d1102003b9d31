package dev.twinlane.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address arithmetic for networks: masking and the text form. */
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

    static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress(); // bytes given: no lookup
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException("not 4 or 16 bytes: " + address.length);
        }
    }
}
