package dev.twinlane.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * IpLiteral as it was (split into strings, groups boxed into lists): slower, and the reference
 * that IpLiteralTest holds the in-place parser to, string by string.
 */
final class SplitIpLiteral {
    private SplitIpLiteral() {
    }

    /** The 4 or 16 address bytes, or null when {@code s} is not an address literal. */
    static byte[] parse(String s) {
        if (s.indexOf(':') >= 0) {
            return ipv6(s);
        }
        return ipv4(s);
    }

    static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    static byte[] ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        List<Integer> head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
        List<Integer> tail = gap < 0 ? List.of() : groups(s.substring(gap + 2), true);
        if (head == null || tail == null) {
            return null;
        }
        int n = head.size() + tail.size();
        if (gap < 0 ? n != 8 : n > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int at = 0;
        for (int g : head) {
            out[at++] = (byte) (g >> 8);
            out[at++] = (byte) g;
        }
        at = 16 - 2 * tail.size();
        for (int g : tail) {
            out[at++] = (byte) (g >> 8);
            out[at++] = (byte) g;
        }
        return out;
    }

    /** Colon-separated groups of 1-4 hex digits; the last may be a dotted quad (two groups). "" is none. */
    private static List<Integer> groups(String part, boolean quadAllowed) {
        List<Integer> out = new ArrayList<>();
        if (part.isEmpty()) {
            return out;
        }
        String[] g = part.split(":", -1);
        for (int i = 0; i < g.length; i++) {
            if (i == g.length - 1 && quadAllowed && g[i].indexOf('.') >= 0) {
                byte[] v4 = ipv4(g[i]);
                if (v4 == null) {
                    return null;
                }
                out.add((v4[0] & 0xff) << 8 | (v4[1] & 0xff));
                out.add((v4[2] & 0xff) << 8 | (v4[3] & 0xff));
                continue;
            }
            if (g[i].isEmpty() || g[i].length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < g[i].length(); j++) {
                int d = IpLiteral.hex(g[i].charAt(j));
                if (d < 0) {
                    return null;
                }
                v = v << 4 | d;
            }
            out.add(v);
        }
        return out;
    }
}
