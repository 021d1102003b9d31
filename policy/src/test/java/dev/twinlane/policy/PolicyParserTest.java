package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class PolicyParserTest {
    static final String FULL = String.join("\n",
            "version: 7",
            "mode: enforce",
            "survival: [/usr/local/bin/backup-agent]",
            "deny:",
            "  files: [/etc/shadow]",
            "  prefixes: [/root/.ssh/]",
            "  exec: [/usr/bin/nc]",
            "  network:",
            "    - addr: 203.0.113.7",
            "    - cidr: 10.0.0.0/8",
            "    - cidr: 2001:db8::/32",
            "    - port: 23",
            "      protocol: tcp",
            "      direction: connect",
            "allow:",
            "  cgroups: [/sys/fs/cgroup/system.slice/backup.service]",
            "watch:",
            "  files: [/etc/passwd]",
            "  prefixes: [/etc/ssh/]",
            "");

    @Test
    void readsEveryKindOfRule() {
        PolicyFile p = PolicyParser.parse(FULL, "p.yaml");
        assertEquals(7, p.version());
        assertEquals(Mode.ENFORCE, p.mode());
        assertEquals("/usr/local/bin/backup-agent", p.survival().get(0).path());
        assertEquals("/etc/shadow", p.denyFiles().get(0).path());
        assertEquals(new Where(5, 11), p.denyFiles().get(0).where());
        assertEquals("/root/.ssh/", p.denyPrefixes().get(0).path());
        assertEquals("/usr/bin/nc", p.denyExec().get(0).path());
        assertEquals(4, p.denyNetwork().size());
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 7}, ((NetRule.Address) p.denyNetwork().get(0)).address());
        NetRule.Cidr c = (NetRule.Cidr) p.denyNetwork().get(1);
        assertEquals(8, c.prefixLength());
        assertArrayEquals(new byte[] {10, 0, 0, 0}, c.network());
        assertEquals(16, ((NetRule.Cidr) p.denyNetwork().get(2)).network().length);
        assertEquals(new NetRule.Port(23, NetRule.Protocol.TCP, NetRule.Direction.CONNECT, new Where(12, 13)),
                p.denyNetwork().get(3));
        assertEquals("/sys/fs/cgroup/system.slice/backup.service", p.allowCgroups().get(0).path());
        assertEquals(List.of("/etc/passwd"), p.watchFiles().stream().map(PathRule::path).toList());
        assertEquals(List.of("/etc/ssh/"), p.watchPrefixes().stream().map(PathRule::path).toList());
    }

    @Test
    void aMinimalPolicyHasNoRules() {
        PolicyFile p = PolicyParser.parse("version: 1\nmode: audit\ndeny:\n", "p.yaml");
        assertEquals(Mode.AUDIT, p.mode());
        assertEquals(List.of(), p.denyFiles());
        assertEquals(List.of(), p.denyNetwork());
    }

    @Test
    void aPortRuleDefaultsToAnyProtocolAndDirection() {
        NetRule.Port p = (NetRule.Port) PolicyParser.parse("version: 1\nmode: audit\ndeny:\n  network:\n"
                + "    - port: 443\n", "p").denyNetwork().get(0);
        assertEquals(NetRule.Protocol.ANY, p.protocol());
        assertEquals(NetRule.Direction.ANY, p.direction());
    }

    @Test
    void aHundredThousandRulesParse() {
        StringBuilder p = new StringBuilder("version: 1\nmode: audit\ndeny:\n  files:\n");
        for (int i = 0; i < 100_000; i++) {
            p.append("    - /data/some/longer/directory/name/file-").append(i).append('\n');
        }
        assertEquals(true, p.length() > 3 << 20, "past SnakeYAML's default limit");
        assertEquals(100_000, PolicyParser.parse(p.toString(), "big.yaml").denyFiles().size());
    }

    @Test
    void unknownKeysNameLineAndColumn() {
        assertError("p.yaml line 4, column 3: unknown key 'file' in deny (known: exec, files, network, prefixes)",
                "version: 1\nmode: audit\ndeny:\n  file: [/etc/shadow]\n");
        assertError("p.yaml line 3, column 1: unknown key 'denny' in the policy (known: allow, deny, mode,"
                + " survival, version, watch)", "version: 1\nmode: audit\ndenny: {}\n");
    }

    @Test
    void duplicateKeysNameBothPlaces() {
        assertError("p.yaml line 3, column 1: duplicate key 'mode' (first at line 2, column 1)",
                "version: 1\nmode: audit\nmode: enforce\n");
        assertError("p.yaml line 5, column 3: duplicate key 'files' (first at line 4, column 3)",
                "version: 1\nmode: audit\ndeny:\n  files: [/a]\n  files: [/b]\n");
    }

    @Test
    void yamlSyntaxErrorsNameLineAndColumn() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyParser.parse("version: 1\nmode: audit\ndeny:\n  files: [/a\n", "p.yaml"));
        assertEquals(true, e.getMessage().startsWith("p.yaml line 5, column 1: not valid YAML: "), e.getMessage());
    }

    @Test
    void badValuesAreRefusedWhereTheyAre() {
        assertError("p.yaml line 1, column 10: version must be a whole number from 1 to 999999999999999999,"
                + " not 'seven'", "version: seven\nmode: audit\n");
        assertError("p.yaml line 2, column 7: mode must be audit or enforce, not 'block'",
                "version: 1\nmode: block\n");
        assertError("p.yaml line 1, column 1: the policy has no 'mode' (required)", "version: 1\n");
        assertError("p.yaml line 3, column 16: deny.files: 'etc/shadow' is not an absolute path (it must start"
                + " with /)", "version: 1\nmode: audit\ndeny: {files: [etc/shadow]}\n");
        assertError("p.yaml line 3, column 19: deny.prefixes: '/a/../b' is not canonical (no //, . or .. components:"
                + " the kernel reports canonical paths)", "version: 1\nmode: audit\ndeny: {prefixes: [/a/../b]}\n");
        assertError("p.yaml line 3, column 19: deny.prefixes: '/" + "x".repeat(128) + "' is 129 bytes long; at most"
                + " 128 fit", "version: 1\nmode: audit\ndeny: {prefixes: [/" + "x".repeat(128) + "]}\n");
        assertError("p.yaml line 3, column 7: deny must be a mapping of keys (exec, files, network, prefixes)",
                "version: 1\nmode: audit\ndeny: [/etc]\n");
    }

    @Test
    void badNetworkRulesAreRefusedWhereTheyAre() {
        String head = "version: 1\nmode: audit\ndeny:\n  network:\n";
        assertError("p.yaml line 5, column 13: addr wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1"
                + " (not a name; a network is a cidr rule), not 'db.example'", head + "    - addr: db.example\n");
        assertError("p.yaml line 5, column 13: cidr '10.1.2.3/8' has address bits set past /8 (the network is"
                + " 10.0.0.0/8)", head + "    - cidr: 10.1.2.3/8\n");
        assertError("p.yaml line 5, column 13: cidr wants a network like 10.0.0.0/8 or 2001:db8::/32, not"
                + " '10.0.0.0/33'", head + "    - cidr: 10.0.0.0/33\n");
        assertError("p.yaml line 5, column 13: port must be a number from 1 to 65535, not '65536'",
                head + "    - port: 65536\n");
        assertError("p.yaml line 6, column 17: protocol must be one of tcp, udp, any, not 'sctp'",
                head + "    - port: 22\n      protocol: sctp\n");
        assertError("p.yaml line 5, column 7: a deny.network rule names exactly one of addr, cidr or port",
                head + "    - {addr: 192.0.2.1, port: 22}\n");
        assertError("p.yaml line 5, column 7: protocol and direction go with a port rule only (addr and cidr rules"
                + " deny connect and bind, every protocol)", head + "    - {addr: 192.0.2.1, direction: bind}\n");
    }

    private static void assertError(String expected, String text) {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyParser.parse(text, "p.yaml"));
        assertEquals(expected, e.getMessage());
    }
}
