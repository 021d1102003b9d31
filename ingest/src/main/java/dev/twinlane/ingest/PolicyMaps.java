package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import jnr.ffi.Pointer;

import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.Ring;

/**
 * The kernel maps that decide and select: deny by inode, address and port,
 * watched inodes and path prefixes, and the mode. A later policy module fills
 * them from signed policies; tests and `--deny-*` options use them directly.
 */
public final class PolicyMaps {
    private static final long BPF_ANY = 0;
    private final Fds fds;

    record Fds(int config, int denyInode, int denyIpv4, int denyIpv6, int denyPort, int watchInode, int watchPrefix) {
    }

    PolicyMaps(Fds fds) {
        this.fds = fds;
    }

    /** Writes the single tl_config entry. */
    void configure(IngestConfig c, int agentTgid) {
        Pointer v = Native.allocate(RecordLayout.CONFIG.size());
        v.putInt(0, c.mode == IngestConfig.Mode.ENFORCE ? 1 : 0);
        v.putInt(4, c.recordAllOpens ? 1 : 0);
        v.putInt(8, c.syscallSampleRate);
        v.putInt(12, agentTgid);
        v.putLong(16, c.cgroupFilter);
        v.putInt(24, c.wakeupBytes(Ring.SECURITY));
        v.putInt(28, c.wakeupBytes(Ring.OBSERVABILITY));
        update(fds.config, u32(0), v, "config");
    }

    public void denyPort(int port) {
        update(fds.denyPort, u16(port), one(), "deny_port");
    }

    public void allowPort(int port) {
        delete(fds.denyPort, u16(port));
    }

    /**
     * Denies connects to (and binds on) an address. An IPv4 address is one entry in deny_ipv4:
     * the programs decide its IPv4-mapped form (::ffff:a.b.c.d, dual-stack clients such as the
     * JVM) by the IPv4 map too.
     */
    public void denyAddress(InetAddress address) {
        if (address instanceof Inet4Address) {
            update(fds.denyIpv4, bytes(address.getAddress()), one(), "deny_ipv4");
        } else if (address instanceof Inet6Address) {
            update(fds.denyIpv6, bytes(address.getAddress()), one(), "deny_ipv6");
        }
    }

    public void denyInode(Path file) {
        update(fds.denyInode, inodeKey(file), one(), "deny_inode");
    }

    public void watchInode(Path file) {
        update(fds.watchInode, inodeKey(file), one(), "watch_inode");
    }

    /** Records opens under this path prefix (e.g. /etc/shadow, /root/.ssh/). */
    public void watchPrefix(String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > RecordLayout.PREFIX_MAX) {
            throw new IngestException("watch prefix must be 1.." + RecordLayout.PREFIX_MAX + " bytes: " + prefix);
        }
        Pointer key = Native.allocate(RecordLayout.PREFIX_KEY.size());
        key.putInt(0, p.length * 8);
        key.put(4, p, 0, p.length);
        update(fds.watchPrefix, key, one(), "watch_prefix");
    }

    /** The kernel's dev_t encoding (major << 20 | minor) from the user-space one stat returns. */
    static long kernelDev(long userDev) {
        long major = ((userDev >>> 8) & 0xfff) | ((userDev >>> 32) & ~0xfffL);
        long minor = (userDev & 0xff) | ((userDev >>> 12) & ~0xffL);
        return (major << 20) | minor;
    }

    private static Pointer inodeKey(Path file) {
        try {
            long ino = (Long) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            long dev = (Long) Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Pointer key = Native.allocate(16);
            key.putLong(0, ino);
            key.putLong(8, kernelDev(dev));
            return key;
        } catch (IOException | UnsupportedOperationException e) {
            throw new IngestException("cannot stat " + file + ": " + e.getMessage());
        }
    }

    private static Pointer one() {
        Pointer p = Native.allocate(1);
        p.putByte(0, (byte) 1);
        return p;
    }

    private static Pointer u32(int v) {
        Pointer p = Native.allocate(4);
        p.putInt(0, v);
        return p;
    }

    private static Pointer u16(int v) {
        if (v < 0 || v > 65535) {
            throw new IngestException("not a port: " + v);
        }
        Pointer p = Native.allocate(2);
        p.putShort(0, (short) v);
        return p;
    }

    private static Pointer bytes(byte[] b) {
        Pointer p = Native.allocate(b.length);
        p.put(0, b, 0, b.length);
        return p;
    }

    private static void update(int fd, Pointer key, Pointer value, String map) {
        if (libbpf().bpf_map_update_elem(fd, key, value, BPF_ANY) != 0) {
            throw new IngestException("cannot update " + map + ": " + Native.strerror(Native.errno()));
        }
    }

    private static void delete(int fd, Pointer key) {
        libbpf().bpf_map_delete_elem(fd, key);
    }
}
