package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** IpLiteral reads in place what the split-based parser it replaced read, and refuses what it refused. */
class IpLiteralTest {
    private static final String NOISE = "0123456789abcdefABCDEFg:.:.%/[] \u0661";

    @Test
    void acceptsAndRefusesWhatTheSplitParserDid() {
        Random r = new Random(13);
        int addresses = 0;
        for (int i = 0; i < 300_000; i++) {
            String s = switch (i % 3) {
                case 0 -> address(r);
                case 1 -> Mutations.mutate(address(r), NOISE, 2, r);
                default -> noise(r);
            };
            byte[] expected = SplitIpLiteral.parse(s);
            assertArrayEquals(expected, IpLiteral.parse(s), s);
            addresses += expected == null ? 0 : 1;
        }
        assertTrue(addresses > 50_000, "addresses among them: " + addresses);
    }

    /** An IPv4 or IPv6 address in one of its text forms: leading zeros, case, "::" anywhere, a quad at the end. */
    private static String address(Random r) {
        if (r.nextInt(3) == 0) {
            return r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
        }
        int groups = r.nextBoolean() ? 8 : r.nextInt(9);
        boolean quad = groups >= 2 && r.nextInt(4) == 0;
        StringBuilder b = new StringBuilder();
        int gapAt = groups == 8 && r.nextBoolean() ? -1 : r.nextInt(groups + 1);
        for (int g = 0; g < groups - (quad ? 2 : 0); g++) {
            b.append(g == gapAt ? "::" : g > 0 ? ":" : "");
            String h = Integer.toHexString(r.nextInt(r.nextBoolean() ? 0x10000 : 16));
            b.append(r.nextBoolean() ? h : h.toUpperCase()).insert(b.length() - h.length(), r.nextInt(6) == 0 ? "0" : "");
        }
        if (quad) {
            b.append(b.length() == 0 || gapAt == groups - 2 ? "::" : ":")
                    .append(r.nextInt(256)).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256))
                    .append('.').append(r.nextInt(256));
        } else if (gapAt == groups - (quad ? 2 : 0)) {
            b.append("::");
        }
        return b.toString();
    }


    private static String noise(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(24); i > 0; i--) {
            b.append(NOISE.charAt(r.nextInt(14 + r.nextInt(NOISE.length() - 14))));
        }
        return b.toString();
    }
}
