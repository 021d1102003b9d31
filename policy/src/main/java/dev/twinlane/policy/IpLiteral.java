package dev.twinlane.policy;

/**
 * IPv4 and IPv6 address literals, parsed without a resolver: a deny rule names an address,
 * and a string that is not one (a host name, 999.1.1.1, a network) must be refused, not
 * looked up. Accepted: dotted quads of decimal 0-255 without leading zeros, and the RFC 4291
 * text forms (hex groups, one "::", a dotted quad as the last 32 bits). Not accepted: zone ids
 * (fe80::1%eth0), brackets, prefixes (/24), the shortened or octal IPv4 forms inet_aton knows.
 * The one parser of addresses: policy files here, the agent's --deny-addr too. It reads the
 * string in place (no split, no boxed groups): a large policy has thousands of addresses.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The 4 or 16 address bytes, or null when {@code s} is not an address literal. */
    public static byte[] parse(String s) {
        if (s.indexOf(':') >= 0) {
            return ipv6(s);
        }
        return ipv4(s);
    }

    static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        return quad(s, 0, s.length(), out, 0) ? out : null;
    }

    /** Reads s[from, to) as a dotted quad into out[at, at + 4); false when it is not one. */
    private static boolean quad(String s, int from, int to, byte[] out, int at) {
        int parts = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && s.charAt(i) != '.') {
                continue;
            }
            int len = i - start;
            if (parts == 4 || len == 0 || len > 3 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            int v = 0;
            for (int j = start; j < i; j++) {
                char c = s.charAt(j);
                if (c < '0' || c > '9') {
                    return false;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return false;
            }
            out[at + parts++] = (byte) v;
            start = i + 1;
        }
        return parts == 4;
    }

    static byte[] ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int h = groups(s, 0, gap < 0 ? s.length() : gap, gap < 0, head);
        int t = gap < 0 ? 0 : groups(s, gap + 2, s.length(), true, tail);
        if (h < 0 || t < 0 || (gap < 0 ? h + t != 8 : h + t > 7)) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0, at = 16 - 2 * t; i < t; i++) {
            out[at + 2 * i] = (byte) (tail[i] >> 8);
            out[at + 2 * i + 1] = (byte) tail[i];
        }
        return out;
    }

    /**
     * The colon-separated groups of 1-4 hex digits in s[from, to) into out: how many, or -1 (also
     * past 8, which no address has). The last may be a dotted quad (two groups). "" is none.
     */
    private static int groups(String s, int from, int to, boolean quadAllowed, int[] out) {
        int n = 0;
        for (int start = from, i = from; from < to && i <= to; i++) {
            if (i < to && s.charAt(i) != ':') {
                continue;
            }
            if (i == to && quadAllowed && hasDot(s, start, to)) {
                byte[] v4 = new byte[4];
                if (n > 6 || !quad(s, start, to, v4, 0)) {
                    return -1;
                }
                out[n++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[n++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                return n;
            }
            int v = group(s, start, i);
            if (v < 0 || n == 8) {
                return -1;
            }
            out[n++] = v;
            start = i + 1;
        }
        return n;
    }

    /** s[from, to) as 1-4 hex digits, or -1. */
    private static int group(String s, int from, int to) {
        if (to == from || to - from > 4) {
            return -1;
        }
        int v = 0;
        for (int j = from; j < to; j++) {
            int d = hex(s.charAt(j));
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static boolean hasDot(String s, int from, int to) {
        int dot = s.indexOf('.', from);
        return dot >= 0 && dot < to;
    }

    /** A hex digit's value, or -1 (ASCII only: Character.digit takes other scripts' digits too). */
    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
