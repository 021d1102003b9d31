package dev.twinlane.records;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;


/**
 * Kernel-shaped records laid out exactly as twinlane_records.h (through RecordLayout's offsets),
 * for tests and benchmarks that are about transport rather than the kernel: they go through
 * ChainedLog like the security lane's records. {@link #record} makes one of any kind.
 */
public final class SyntheticRecords {
    private final SplittableRandom random;
    private long ktime = 1_000_000_000L;

    public SyntheticRecords(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private ByteBuffer start(RecordKind kind, int tgid) {
        RecordStruct s = kind.layout();
        ByteBuffer b = ByteBuffer.allocate(s.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(at(s, "kind"), (short) kind.code());
        b.putShort(at(s, "size"), (short) s.size());
        b.putInt(at(s, "cpu"), random.nextInt(2));
        ktime += 1000 + random.nextInt(100_000);
        b.putLong(at(s, "ktime_ns"), ktime);
        b.putLong(at(s, "start_ns"), 5_000_000_000L + tgid * 1000L);
        b.putLong(at(s, "parent_start_ns"), 4_000_000_000L);
        b.putInt(at(s, "tgid"), tgid);
        b.putInt(at(s, "tid"), tgid);
        b.putInt(at(s, "ptgid"), 1);
        b.putInt(at(s, "uid"), 1000);
        b.putInt(at(s, "gid"), 1000);
        b.put(at(s, "source"), (byte) 1);
        b.putLong(at(s, "cgroup_id"), 42);
        text(b, s.field("comm"), "bash");
        return b;
    }

    private static int at(RecordStruct s, String field) {
        return s.field(field).offset();
    }

    private static void text(ByteBuffer b, Field f, String v) {
        byte[] t = v.getBytes(StandardCharsets.UTF_8);
        b.put(f.offset(), t, 0, Math.min(t.length, f.size() - 1));
    }

    /**
     * A record of {@code kind} by process {@code tgid} (the header as {@link #next} fills it), with
     * the named fields set: a number for a numeric field, a String for text, an InetAddress (or its
     * bytes) for an address (set the family field too), a String[] for argv.
     */
    public byte[] record(RecordKind kind, int tgid, Object... namesAndValues) {
        ByteBuffer b = start(kind, tgid);
        RecordStruct s = kind.layout();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Field f = s.field((String) namesAndValues[i]);
            Object v = namesAndValues[i + 1];
            if (v instanceof String t) {
                b.put(f.offset(), new byte[f.size()]);
                text(b, f, t);
            } else if (v instanceof InetAddress a) {
                b.put(f.offset(), a.getAddress());
            } else if (v instanceof byte[] raw) {
                b.put(f.offset(), raw);
            } else if (v instanceof String[] argv) {
                byte[] a = String.join("\0", argv).concat("\0").getBytes(StandardCharsets.UTF_8);
                b.put(f.offset(), a, 0, Math.min(a.length, f.size()));
            } else {
                long n = ((Number) v).longValue();
                switch (f.size()) {
                    case 1 -> b.put(f.offset(), (byte) n);
                    case 2 -> b.putShort(f.offset(), (short) n);
                    case 4 -> b.putInt(f.offset(), (int) n);
                    default -> b.putLong(f.offset(), n);
                }
            }
        }
        return b.array();
    }

    public byte[] exec(int tgid, String filename, String... argv) {
        ByteBuffer b = start(RecordKind.EXEC, tgid);
        RecordStruct s = RecordKind.EXEC.layout();
        text(b, s.field("comm"), filename.substring(filename.lastIndexOf('/') + 1));
        b.putInt(at(s, "filename_len"), filename.length());
        b.putLong(at(s, "ino"), 131_000 + tgid);
        text(b, s.field("filename"), filename);
        StringBuilder args = new StringBuilder();
        for (String a : argv) {
            args.append(a).append('\0');
        }
        byte[] a = args.toString().getBytes(StandardCharsets.UTF_8);
        int n = Math.min(a.length, s.field("args").size());
        b.put(at(s, "args"), a, 0, n);
        b.putInt(at(s, "args_len"), a.length);
        b.putInt(at(s, "argc"), argv.length);
        return b.array();
    }

    public byte[] fileOpen(int tgid, String path, int ret, int decision) {
        ByteBuffer b = start(RecordKind.FILE_OPEN, tgid);
        RecordStruct s = RecordKind.FILE_OPEN.layout();
        b.putInt(at(s, "ret"), ret);
        b.put(at(s, "decision"), (byte) decision);
        b.putInt(at(s, "flags"), 0x8000);
        b.putInt(at(s, "path_len"), path.length());
        b.putLong(at(s, "ino"), 262_000 + path.length());
        b.putLong(at(s, "dev"), 0x803);
        text(b, s.field("path"), path);
        return b.array();
    }

    public byte[] connect(int tgid, InetAddress daddr, int dport, int ret) {
        ByteBuffer b = start(RecordKind.CONNECT, tgid);
        RecordStruct s = RecordKind.CONNECT.layout();
        b.putInt(at(s, "ret"), ret);
        b.put(at(s, "protocol"), (byte) 6);
        byte[] a = daddr.getAddress();
        b.putShort(at(s, "family"), (short) (a.length == 16 ? 10 : 2));
        b.putShort(at(s, "dport"), (short) dport);
        b.put(at(s, "daddr"), a);
        return b.array();
    }

    /** A realistic mix: 60% watched-file opens, 25% execs, 15% connects. */
    public byte[] next(int i) {
        int tgid = 2000 + i % 30_000;
        int r = random.nextInt(100);
        if (r < 60) {
            return fileOpen(tgid, "/etc/ssl/private/key-" + (i % 97) + ".pem", r < 3 ? -13 : 0, r < 3 ? 1 : 0);
        }
        if (r < 85) {
            return exec(tgid, "/usr/bin/curl", "curl", "-fsS", "https://example.org/item/" + i);
        }
        try {
            return connect(tgid, InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 443, 0);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
