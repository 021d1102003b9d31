package dev.twinlane.policy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encoders of the policy maps' keys and of tl_policy_meta, in the layouts of
 * twinlane_policy.h and twinlane_records.h: integers in host order (the BPF programs read
 * them as plain fields), addresses in network order (as the hooks see them).
 */
public final class MapKeys {
    private MapKeys() {
    }

    /** struct tl_inode_key; dev in the kernel's encoding (see {@link Inode}). */
    public static byte[] inode(Inode i) {
        return buffer(16).putLong(i.ino()).putLong(i.dev()).array();
    }

    /** struct tl_prefix_key: an LPM trie key over the path's bytes, NUL-padded. */
    public static byte[] prefix(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > PolicyParser.PREFIX_MAX) {
            throw new IllegalArgumentException("a prefix is 1 to " + PolicyParser.PREFIX_MAX + " bytes: " + path);
        }
        return buffer(4 + PolicyParser.PREFIX_MAX).putInt(p.length * 8).put(p).array();
    }

    /** struct tl_cidr4_key or tl_cidr6_key, by the address's length. */
    public static byte[] cidr(byte[] network, int prefixLength) {
        return buffer(4 + network.length).putInt(prefixLength).put(network).array();
    }

    /** struct tl_port_key: port in host order. */
    public static byte[] port(int port, int protocol, int direction) {
        return buffer(4).putShort((short) port).put((byte) protocol).put((byte) direction).array();
    }

    /** A cgroup id (__u64). */
    public static byte[] cgroup(long id) {
        return buffer(8).putLong(id).array();
    }

    /** struct tl_policy_meta. */
    public static byte[] meta(long version, Mode mode) {
        return buffer(16).putLong(version).putInt(mode.code()).putInt(0).array();
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }
}
