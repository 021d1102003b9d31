package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCompilerTest {
    private final FakeResolver files = new FakeResolver().with("/etc/shadow", 11).with("/usr/bin/nc", 12)
            .with("/sys/fs/cgroup/system.slice/backup.service", 4242).with("/etc/passwd", 14)
            .with("/sbin/init", 1).with("/usr/local/bin/backup-agent", 2).with("/usr/bin/java", 3);
    private final PolicyCompiler compiler = new PolicyCompiler(files, SurvivalList.of("/usr/bin/java", List.of()));

    @Test
    void compilesEveryRuleIntoItsMap() {
        CompiledPolicy c = compiler.compile(PolicyParser.parse(PolicyParserTest.FULL, "p.yaml"), "p.yaml");
        assertEquals(7, c.version());
        assertEquals(List.of(new MapEntry(MapKeys.inode(new Inode(11, 0x800001)), new byte[] {1})),
                c.entries(PolicyMap.DENY_INODE));
        assertEquals(List.of(new MapEntry(MapKeys.inode(new Inode(12, 0x800001)), new byte[] {1})),
                c.entries(PolicyMap.DENY_EXEC));
        assertEquals(1, c.entries(PolicyMap.DENY_PREFIX).size());
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 7}, c.entries(PolicyMap.DENY_IPV4).get(0).key());
        // once: no IPv4-mapped copy (::ffff:203.0.113.7), connect6 reads the IPv4 maps for those
        assertEquals(List.of(), c.entries(PolicyMap.DENY_IPV6));
        assertEquals(1, c.entries(PolicyMap.DENY_CIDR4).size());
        assertEquals(1, c.entries(PolicyMap.DENY_CIDR6).size()); // 2001:db8::/32 only
        assertEquals(List.of(new MapEntry(MapKeys.port(23, 6, 1), new byte[] {1})),
                c.entries(PolicyMap.DENY_PORT_RULE));
        assertArrayEquals(MapKeys.cgroup(4242), c.entries(PolicyMap.ALLOW_CGROUP).get(0).key());
        assertEquals(1, c.entries(PolicyMap.WATCH_INODE).size());
        assertEquals(1, c.entries(PolicyMap.WATCH_PREFIX).size());
        // init, the agent's JVM and the policy's own survival entry (systemd is not on this fake host)
        assertEquals(3, c.entries(PolicyMap.SURVIVAL_INODE).size());
        assertArrayEquals(MapKeys.meta(7, Mode.ENFORCE), c.meta());
    }

    @Test
    void anyProtocolAndDirectionBecomeOneEntryEach() {
        CompiledPolicy c = compile("deny:\n  network:\n    - port: 53\n");
        assertEquals(List.of(MapKeys.port(53, 6, 1), MapKeys.port(53, 6, 2), MapKeys.port(53, 17, 1),
                MapKeys.port(53, 17, 2)).stream().map(HexFormat.of()::formatHex).sorted().toList(),
                c.entries(PolicyMap.DENY_PORT_RULE).stream().map(e -> HexFormat.of().formatHex(e.key())).toList());
    }

    @Test
    void theSameRulesInAnotherOrderGiveTheSameDigest() {
        CompiledPolicy a = compile("deny:\n  files: [/etc/shadow, /etc/passwd]\n  network: [{port: 22}, {addr: '::1'}]\n");
        CompiledPolicy b = compile("deny:\n  network: [{addr: '::1'}, {port: 22}, {port: 22}]\n  files: [/etc/passwd,"
                + " /etc/shadow]\n");
        assertArrayEquals(a.digest(), b.digest());
        CompiledPolicy c = compile("deny:\n  files: [/etc/shadow]\n  network: [{port: 22}, {addr: '::1'}]\n");
        assertFalse(java.util.Arrays.equals(a.digest(), c.digest()));
    }

    @Test
    void entriesAreInUnsignedByteOrderAndEachOnce() {
        CompiledPolicy c = compile("deny:\n  network: [{addr: 128.0.0.1}, {addr: 127.0.0.1}, {addr: 10.0.0.1},"
                + " {addr: 127.0.0.1}]\n");
        // signed bytes would put 128 (0x80) first
        assertEquals(List.of("0a000001", "7f000001", "80000001"),
                c.entries(PolicyMap.DENY_IPV4).stream().map(e -> HexFormat.of().formatHex(e.key())).toList());
    }

    @Test
    void anEntryKeepsBytesNoOneElseCanWrite() {
        byte[] key = {1, 2};
        MapEntry e = new MapEntry(key, new byte[] {1});
        key[0] = 9;
        e.key()[1] = 9;
        assertEquals(new MapEntry(new byte[] {1, 2}, new byte[] {1}), e);
    }

    @Test
    void aRuleThatWouldDenyASurvivalEntryIsAnError() {
        assertError("p.yaml: deny.exec '/sbin/init' (line 3, column 15) would deny survival entry /sbin/init",
                "deny: {exec: [/sbin/init]}\n");
        assertError("p.yaml: deny.prefixes '/usr/bin/' (line 3, column 19) would deny survival entry /usr/bin/java",
                "deny: {prefixes: [/usr/bin/]}\n");
        assertError("p.yaml: deny.files '/usr/local/bin/backup-agent' (line 4, column 16) would deny survival entry"
                + " /usr/local/bin/backup-agent (line 3, column 12)",
                "survival: [/usr/local/bin/backup-agent]\ndeny: {files: [/usr/local/bin/backup-agent]}\n");
    }

    @Test
    void aLinkToASurvivalEntryIsTheSurvivalEntry() {
        files.with("/opt/innocent-looking", 1); // resolves to /sbin/init's inode
        assertError("p.yaml: deny.exec '/opt/innocent-looking' (line 3, column 15) is the same file as survival"
                + " entry /sbin/init (inode 1), which no policy may deny", "deny: {exec: [/opt/innocent-looking]}\n");
    }

    @Test
    void aMissingFileIsAnError() {
        assertError("p.yaml: deny.files '/etc/nothing' (line 3, column 16): no such file on this host",
                "deny: {files: [/etc/nothing]}\n");
        assertError("p.yaml: allow.cgroups '/sys/fs/cgroup/x' (line 3, column 19): no such file on this host",
                "allow: {cgroups: [/sys/fs/cgroup/x]}\n");
    }

    @Test
    void aMapThatWouldOverflowNamesTheMapAndItsLimit() {
        StringBuilder p = new StringBuilder("deny:\n  prefixes:\n");
        for (int i = 0; i <= PolicyMap.DENY_PREFIX.maxEntries(); i++) {
            p.append("    - /data/").append(i).append('\n');
        }
        assertError("p.yaml: the policy needs 1025 entries in deny_prefix, which holds at most 1024"
                + " (TL_MAX_DENY_PREFIX in twinlane_policy.h)", p.toString());
    }

    @Test
    void theFileSystemResolverFollowsLinksAndReportsMissingFiles(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), f);
        FileSystemResolver r = new FileSystemResolver();
        Inode i = r.resolve(f.toString()).orElseThrow();
        assertEquals((Long) Files.getAttribute(f, "unix:ino"), i.ino());
        assertEquals(i, r.resolve(link.toString()).orElseThrow());
        assertEquals(java.util.Optional.empty(), r.resolve(dir.resolve("none").toString()));
    }

    @Test
    void aFileThatCannotBeResolvedIsAnErrorInTheOrderOfTheRules() {
        PathResolver failing = path -> {
            if (path.equals("/data/unreadable")) {
                throw new PolicyException("cannot stat /data/unreadable: Permission denied");
            }
            return files.resolve(path);
        };
        PolicyCompiler c = new PolicyCompiler(failing, SurvivalList.of("/usr/bin/java", List.of()));
        PolicyException e = assertThrows(PolicyException.class, () -> c.compile(PolicyParser.parse(
                "version: 3\nmode: audit\ndeny:\n  files: [/etc/shadow, /data/missing, /data/unreadable]\n", "p.yaml"),
                "p.yaml"));
        assertEquals("p.yaml: deny.files '/data/missing' (line 4, column 24): no such file on this host", e.getMessage());
        e = assertThrows(PolicyException.class, () -> c.compile(PolicyParser.parse(
                "version: 3\nmode: audit\ndeny:\n  files: [/etc/shadow, /data/unreadable, /data/missing]\n", "p.yaml"),
                "p.yaml"));
        assertEquals("cannot stat /data/unreadable: Permission denied", e.getMessage());
    }

    @Test
    void kernelDevIsMajorShiftedTwentyBits() {
        assertEquals(8L << 20 | 1, Inode.kernelDev(0x801)); // sda1: major 8, minor 1
        long userDev = (259L << 8) | 0x45 | (0x12300L << 12); // glibc makedev(259, 0x12345)
        assertEquals(259L << 20 | 0x12345, Inode.kernelDev(userDev));
    }

    private CompiledPolicy compile(String rules) {
        return compiler.compile(PolicyParser.parse("version: 3\nmode: audit\n" + rules, "p.yaml"), "p.yaml");
    }

    private void assertError(String expected, String rules) {
        PolicyException e = assertThrows(PolicyException.class, () -> compile(rules));
        assertEquals(expected, e.getMessage());
    }
}
