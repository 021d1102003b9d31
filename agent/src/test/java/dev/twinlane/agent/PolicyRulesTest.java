package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.Cli;
import dev.twinlane.policy.IpLiteral;
import picocli.CommandLine.ParameterException;

/** run's deny and watch rules: every value checked, addresses parsed as literals only. */
class PolicyRulesTest {
    @TempDir
    Path tmp;

    private static PolicyRules parse(String... args) {
        return RunCommand.parse(args).rules();
    }

    /** The one line (less the command's name) that run refuses these options with. */
    private static String refusal(String... args) {
        return Cli.problem(assertThrows(ParameterException.class, () -> parse(args)));
    }

    @Test
    void portsFrom1To65535() throws Exception {
        assertEquals(List.of(22, 65535, 1), parse("--deny-port", "22", "--deny-port=65535", "--deny-port", "1").denyPorts());
        for (String bad : List.of("abc", "0", "65536", "70000", "-1", "+22", "", " 22", "2e3", "99999999999")) {
            assertEquals("--deny-port wants a port number from 1 to 65535, not '" + bad + "'", refusal("--deny-port", bad));
        }
    }

    @Test
    void addressLiteralsAreParsedAsTheJdkParsesThem() throws Exception {
        for (String ok : List.of("192.0.2.1", "0.0.0.0", "255.255.255.255", "10.0.0.1", "::", "::1", "1::",
                "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                "fe80::1:2", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4")) {
            byte[] mine = IpLiteral.parse(ok);
            // a literal, so the JDK does not look it up either; its bytes are the reference
            byte[] jdk = InetAddress.getByName(ok).getAddress();
            assertArrayEquals(jdk, InetAddress.getByAddress(mine).getAddress(), ok);
            assertEquals(InetAddress.getByName(ok), parse("--deny-addr", ok).denyAddresses().get(0), ok);
        }
    }

    @Test
    void namesNetworksAndMalformedAddressesAreRefusedWithoutALookup() {
        for (String bad : List.of("999.1.1.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4.", "0x7f.0.0.1",
                "127.1", "2130706433", "localhost", "example.com", "10.0.0.0/8", "2001:db8::/32", "fe80::1%eth0",
                "[::1]", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "1::2::3", ":::", ":1::", "1:", ":1", "12345::",
                "g::1", "::1.2.3.4.5", "1.2.3.4::", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "\u0661.2.3.4", "", " 1.2.3.4")) {
            assertNull(IpLiteral.parse(bad), bad);
            assertEquals("--deny-addr wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1 (not a name, not a"
                    + " network), not '" + bad + "'", refusal("--deny-addr", bad));
        }
    }

    @Test
    void filesMustExistAndAreNamedByTheirTarget() throws Exception {
        Path file = Files.writeString(tmp.resolve("secret"), "x");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
        PolicyRules r = parse("--deny-file", link.toString(), "--watch-file", tmp.toString());
        assertEquals(List.of(file.toRealPath()), r.denyFiles(), "the inode the kernel will see");
        assertEquals(List.of(tmp.toRealPath()), r.watchFiles());
        Path missing = tmp.resolve("missing");
        assertEquals("--deny-file wants an existing file, not '" + missing + "' (no such file)",
                refusal("--deny-file", missing.toString()));
        assertEquals("--watch-file wants an existing file, not '" + missing + "' (no such file)",
                refusal("--watch-file", missing.toString()));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), missing);
        assertEquals("--deny-file wants an existing file, not '" + dangling + "' (no such file)",
                refusal("--deny-file", dangling.toString()));
        assertEquals("--deny-file wants a file, not the directory '" + tmp + "'", refusal("--deny-file", tmp.toString()));
    }

    @Test
    void watchPrefixesFitTheKernelMap() throws Exception {
        String longest = "/" + "x".repeat(127);
        assertEquals(List.of("/etc/", longest), parse("--watch", "/etc/", "--watch", longest).watchPrefixes());
        assertEquals("--watch wants a path prefix of 1 to 128 bytes, not ''", refusal("--watch", ""));
        assertEquals("--watch wants a path prefix of 1 to 128 bytes, not '" + longest + "x'", refusal("--watch", longest + "x"));
    }
}
