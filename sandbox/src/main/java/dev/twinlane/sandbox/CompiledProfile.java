package dev.twinlane.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedSet;
import java.util.zip.CRC32;

/**
 * The file twinlane-sandbox-exec reads (sandbox/src/native): a profile compiled down to what the
 * kernel takes, so the helper parses nothing. Little-endian, x86_64:
 * <pre>
 *   char magic[8] "TLSANDBX"; u32 version; u32 flags; u64 net_handled;
 *   u32 n_insns; u32 n_paths; u32 n_ports; u32 reserved;
 *   struct sock_filter insns[n_insns];
 *   { u64 landlock_fs_rights; u32 len; char path[len] (NUL-terminated) } paths[n_paths];
 *   { u64 landlock_net_rights; u64 port } ports[n_ports];
 *   u32 crc32 (of everything before it)
 * </pre>
 * The CRC catches a damaged file (the helper refuses it); the cache directory's permissions, not
 * the checksum, keep others from changing it.
 */
public final class CompiledProfile {
    public static final int FORMAT_VERSION = 1;
    static final int NS_USER = 1;
    static final int NS_MOUNT = 1 << 1;
    static final int NS_NET = 1 << 2;
    static final int NS_PID = 1 << 3;
    static final int SECCOMP_LOG = 1 << 4;
    static final int LANDLOCK_LOG = 1 << 5;
    static final int DROP_CAPS = 1 << 6;
    static final int LANDLOCK_FS = 1 << 7;
    private static final byte[] MAGIC = "TLSANDBX".getBytes(StandardCharsets.US_ASCII);
    private static final int PATH_RULE_FIXED = 12;

    private CompiledProfile() {
    }

    public static byte[] compile(Profile profile) {
        byte[] insns = SeccompFilter.compile(profile.syscalls());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = le(40).put(MAGIC).putInt(FORMAT_VERSION).putInt(flags(profile)).putLong(netHandled(profile))
                .putInt(insns.length / SeccompFilter.INSTRUCTION_BYTES).putInt(profile.paths().size())
                .putInt(portCount(profile.bindPorts()) + portCount(profile.connectPorts())).putInt(0);
        out.writeBytes(header.array());
        out.writeBytes(insns);
        for (Map.Entry<String, Long> p : profile.paths().entrySet()) {
            byte[] path = (p.getKey() + "\0").getBytes(StandardCharsets.UTF_8);
            out.writeBytes(le(PATH_RULE_FIXED).putLong(p.getValue()).putInt(path.length).array());
            out.writeBytes(path);
        }
        ports(out, profile.bindPorts(), PathAccess.Rights.NET_BIND_TCP);
        ports(out, profile.connectPorts(), PathAccess.Rights.NET_CONNECT_TCP);
        CRC32 crc = new CRC32();
        crc.update(out.toByteArray());
        out.writeBytes(le(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    private static int flags(Profile p) {
        int flags = p.paths().isEmpty() ? 0 : LANDLOCK_FS;
        for (Namespace ns : p.namespaces()) {
            flags |= ns.flag;
        }
        return flags | (p.dropCapabilities() ? DROP_CAPS : 0) | (p.logDenials() ? SECCOMP_LOG | LANDLOCK_LOG : 0);
    }

    private static long netHandled(Profile p) {
        return (p.bindPorts() == null ? 0 : PathAccess.Rights.NET_BIND_TCP)
                | (p.connectPorts() == null ? 0 : PathAccess.Rights.NET_CONNECT_TCP);
    }

    private static int portCount(SortedSet<Integer> ports) {
        return ports == null ? 0 : ports.size();
    }

    private static void ports(ByteArrayOutputStream out, SortedSet<Integer> ports, long right) {
        if (ports != null) {
            for (int port : ports) {
                out.writeBytes(le(16).putLong(right).putLong(port).array());
            }
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
