package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * twinlane_policy.h is the source of truth for the policy maps: like ingest's
 * RecordLayoutDriftTest for records, this compiles a layout dump (src/test/c/policy_layout.c)
 * against the header with gcc and checks the Java encoders' bytes and PolicyMap's figures
 * against every size, offset and limit it prints.
 */
class PolicyLayoutTest {
    private static final Map<String, long[]> FIELDS = new HashMap<>(); // "struct.field" -> offset, size
    private static final Map<String, Long> CONSTS = new HashMap<>();

    @BeforeAll
    static void dumpTheHeader() throws IOException, InterruptedException {
        Path out = Path.of(System.getProperty("twinlane.build.dir", "target"), "policy_layout");
        Files.createDirectories(out.getParent());
        run("gcc", "-Wall", "-Werror", "-I" + System.getProperty("twinlane.bpf.include", "../ebpf-programs/src/bpf"),
                System.getProperty("twinlane.layout.source", "src/test/c/policy_layout.c"), "-o", out.toString());
        for (String line : run(out.toString()).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("const")) {
                CONSTS.put(f[1], Long.parseLong(f[2]));
            } else {
                FIELDS.put(f[0] + "." + f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            }
        }
    }

    @Test
    void everyMapsKeySizeAndLimitMatchTheHeader() {
        for (PolicyMap m : PolicyMap.values()) {
            long cSize = m.keyType().startsWith("tl_") ? FIELDS.get(m.keyType() + ".-")[1]
                    : m.keyType().equals("__u32") ? 4 : m.keyType().equals("__u64") ? 8 : 16;
            assertEquals(cSize, m.keySize(), "key size of " + m.mapName());
            assertEquals(CONSTS.get(m.limitConstant()), (long) m.maxEntries(), "limit of " + m.mapName());
        }
        assertEquals(CONSTS.get("TL_PREFIX_MAX"), (long) PolicyParser.PREFIX_MAX);
    }

    @Test
    void inodeKey() {
        byte[] k = MapKeys.inode(new Inode(0x1122334455667788L, 0x0800001L));
        assertField(k, "tl_inode_key.ino", le(0x1122334455667788L, 8));
        assertField(k, "tl_inode_key.dev", le(0x0800001L, 8));
        assertEquals(size("tl_inode_key"), k.length);
    }

    @Test
    void prefixKey() {
        byte[] k = MapKeys.prefix("/etc/");
        assertField(k, "tl_prefix_key.prefixlen", le(5 * 8, 4));
        byte[] path = new byte[(int) FIELDS.get("tl_prefix_key.path")[1]];
        System.arraycopy("/etc/".getBytes(StandardCharsets.UTF_8), 0, path, 0, 5);
        assertField(k, "tl_prefix_key.path", path);
        assertEquals(size("tl_prefix_key"), k.length);
    }

    @Test
    void cidrKeys() {
        byte[] v4 = MapKeys.cidr(new byte[] {10, 1, 0, 0}, 16);
        assertField(v4, "tl_cidr4_key.prefixlen", le(16, 4));
        assertField(v4, "tl_cidr4_key.addr", new byte[] {10, 1, 0, 0});
        assertEquals(size("tl_cidr4_key"), v4.length);
        byte[] addr6 = new byte[16];
        addr6[0] = 0x20;
        addr6[1] = 0x01;
        byte[] v6 = MapKeys.cidr(addr6, 32);
        assertField(v6, "tl_cidr6_key.prefixlen", le(32, 4));
        assertField(v6, "tl_cidr6_key.addr", addr6);
        assertEquals(size("tl_cidr6_key"), v6.length);
    }

    @Test
    void portKey() {
        byte[] k = MapKeys.port(8443, (int) (long) CONSTS.get("TL_PROTO_UDP"), (int) (long) CONSTS.get("TL_DIR_BIND"));
        assertField(k, "tl_port_key.port", le(8443, 2));
        assertField(k, "tl_port_key.protocol", new byte[] {17});
        assertField(k, "tl_port_key.direction", new byte[] {2});
        assertEquals(size("tl_port_key"), k.length);
        assertEquals(CONSTS.get("TL_PROTO_TCP"), (long) NetRule.Protocol.TCP.code);
        assertEquals(CONSTS.get("TL_DIR_CONNECT"), (long) NetRule.Direction.CONNECT.code);
    }

    @Test
    void policyMeta() {
        byte[] v = MapKeys.meta(0x0102030405L, Mode.ENFORCE);
        assertField(v, "tl_policy_meta.version", le(0x0102030405L, 8));
        assertField(v, "tl_policy_meta.mode", le(CONSTS.get("TL_MODE_ENFORCE"), 4));
        assertEquals(size("tl_policy_meta"), v.length);
        assertEquals(CONSTS.get("TL_MODE_AUDIT"), (long) Mode.AUDIT.code());
    }

    private static void assertField(byte[] encoded, String field, byte[] expected) {
        long[] f = FIELDS.get(field);
        assertEquals(f[1], expected.length, "size of " + field);
        assertArrayEquals(expected, Arrays.copyOfRange(encoded, (int) f[0], (int) (f[0] + f[1])), field);
    }

    private static int size(String struct) {
        return (int) FIELDS.get(struct + ".-")[1];
    }

    /** What a C field of that size holds on this (the BPF programs') byte order. */
    private static byte[] le(long v, int size) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Arrays.copyOf(b.array(), size)
                : Arrays.copyOfRange(b.array(), 8 - size, 8);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + out);
        return out;
    }
}
