package dev.twinlane.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;

import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordStruct;
import dev.twinlane.records.RecordView;

/**
 * Maps one kernel record to an OCSF 1.8.0 event: exec, ptrace, bpf, fork, exit and syscall to
 * Process Activity (1007), file_open and kernel_read to File System Activity (1001), connect,
 * bind and tcp_state to Network Activity (4001). docs/OCSF.md is the field-by-field mapping.
 * The output is a pure function of (record, time, host, log id, seq), so a consumer can render
 * it again from the verified record bytes and compare.
 */
public final class Ocsf {
    public static final String VERSION = "1.8.0";
    private static final String[] SOURCES = {"unknown", "lsm", "tracepoint", "cgroup", "test_run", "user"};
    private static final String[] DECISIONS = {"allow", "deny", "audit_deny"};
    private static final String[] PATH_STATUS = {"full", "unknown", "name_only"};

    // header fields
    private static final Field CPU = f(RecordLayout.HEADER, "cpu");
    private static final Field KTIME = f(RecordLayout.HEADER, "ktime_ns");
    private static final Field START = f(RecordLayout.HEADER, "start_ns");
    private static final Field PSTART = f(RecordLayout.HEADER, "parent_start_ns");
    private static final Field TGID = f(RecordLayout.HEADER, "tgid");
    private static final Field TID = f(RecordLayout.HEADER, "tid");
    private static final Field PTGID = f(RecordLayout.HEADER, "ptgid");
    private static final Field UID = f(RecordLayout.HEADER, "uid");
    private static final Field GID = f(RecordLayout.HEADER, "gid");
    private static final Field SOURCE = f(RecordLayout.HEADER, "source");
    private static final Field CGROUP = f(RecordLayout.HEADER, "cgroup_id");
    private static final Field COMM = f(RecordLayout.HEADER, "comm");
    // exec
    private static final Field EXEC_RET = f(RecordLayout.EXEC, "ret");
    private static final Field EXEC_DECISION = f(RecordLayout.EXEC, "decision");
    private static final Field EXEC_FILENAME = f(RecordLayout.EXEC, "filename");
    private static final Field EXEC_FILENAME_LEN = f(RecordLayout.EXEC, "filename_len");
    private static final Field EXEC_ARGS = f(RecordLayout.EXEC, "args");
    private static final Field EXEC_ARGS_LEN = f(RecordLayout.EXEC, "args_len");
    private static final Field EXEC_ARGC = f(RecordLayout.EXEC, "argc");
    private static final Field EXEC_INO = f(RecordLayout.EXEC, "ino");
    // file_open
    private static final Field OPEN_RET = f(RecordLayout.FILE_OPEN, "ret");
    private static final Field OPEN_DECISION = f(RecordLayout.FILE_OPEN, "decision");
    private static final Field OPEN_STATUS = f(RecordLayout.FILE_OPEN, "path_status");
    private static final Field OPEN_FLAGS = f(RecordLayout.FILE_OPEN, "flags");
    private static final Field OPEN_PATH_LEN = f(RecordLayout.FILE_OPEN, "path_len");
    private static final Field OPEN_INO = f(RecordLayout.FILE_OPEN, "ino");
    private static final Field OPEN_DEV = f(RecordLayout.FILE_OPEN, "dev");
    private static final Field OPEN_PATH = f(RecordLayout.FILE_OPEN, "path");
    // net
    private static final Field NET_RET = f(RecordLayout.NET, "ret");
    private static final Field NET_DECISION = f(RecordLayout.NET, "decision");
    private static final Field NET_PROTOCOL = f(RecordLayout.NET, "protocol");
    private static final Field NET_FAMILY = f(RecordLayout.NET, "family");
    private static final Field NET_SPORT = f(RecordLayout.NET, "sport");
    private static final Field NET_DPORT = f(RecordLayout.NET, "dport");
    private static final Field NET_SADDR = f(RecordLayout.NET, "saddr");
    private static final Field NET_DADDR = f(RecordLayout.NET, "daddr");
    // ptrace
    private static final Field PT_RET = f(RecordLayout.PTRACE, "ret");
    private static final Field PT_DECISION = f(RecordLayout.PTRACE, "decision");
    private static final Field PT_MODE = f(RecordLayout.PTRACE, "mode");
    private static final Field PT_TARGET = f(RecordLayout.PTRACE, "target_tgid");
    // kernel_read
    private static final Field KR_RET = f(RecordLayout.KERNEL_READ, "ret");
    private static final Field KR_DECISION = f(RecordLayout.KERNEL_READ, "decision");
    private static final Field KR_STATUS = f(RecordLayout.KERNEL_READ, "path_status");
    private static final Field KR_ID = f(RecordLayout.KERNEL_READ, "id");
    private static final Field KR_PATH_LEN = f(RecordLayout.KERNEL_READ, "path_len");
    private static final Field KR_PATH = f(RecordLayout.KERNEL_READ, "path");
    // bpf
    private static final Field BPF_RET = f(RecordLayout.BPF, "ret");
    private static final Field BPF_DECISION = f(RecordLayout.BPF, "decision");
    private static final Field BPF_CMD = f(RecordLayout.BPF, "cmd");
    private static final Field BPF_ATTR = f(RecordLayout.BPF, "attr_size");
    private static final Field BPF_TARGET_TYPE = f(RecordLayout.BPF, "target_type");
    private static final Field BPF_TARGET_ID = f(RecordLayout.BPF, "target_id");
    private static final String[] BPF_TARGETS = {"none", "map", "prog", "pin", "link"};
    // observability kinds that promotion rules may route to the security lane
    private static final Field FORK_CHILD_START = f(RecordLayout.FORK, "child_start_ns");
    private static final Field FORK_CHILD = f(RecordLayout.FORK, "child_tgid");
    private static final Field EXIT_CODE = f(RecordLayout.EXIT, "exit_code");
    private static final Field EXIT_UTIME = f(RecordLayout.EXIT, "utime_ns");
    private static final Field EXIT_STIME = f(RecordLayout.EXIT, "stime_ns");
    private static final Field SC_RET = f(RecordLayout.SYSCALL, "ret");
    private static final Field SC_LATENCY = f(RecordLayout.SYSCALL, "latency_ns");
    private static final Field SC_NR = f(RecordLayout.SYSCALL, "nr");
    private static final Field TCP_FAMILY = f(RecordLayout.TCP_STATE, "family");
    private static final Field TCP_SPORT = f(RecordLayout.TCP_STATE, "sport");
    private static final Field TCP_DPORT = f(RecordLayout.TCP_STATE, "dport");
    private static final Field TCP_OLD = f(RecordLayout.TCP_STATE, "oldstate");
    private static final Field TCP_NEW = f(RecordLayout.TCP_STATE, "newstate");
    private static final Field TCP_SADDR = f(RecordLayout.TCP_STATE, "saddr");
    private static final Field TCP_DADDR = f(RecordLayout.TCP_STATE, "daddr");

    private static final ThreadLocal<Ctx> CTX = ThreadLocal.withInitial(Ctx::new);

    /** This thread's record being rendered: text fields are read from its bytes without copies. */
    private static final class Ctx {
        final RecordView view = new RecordView();
        byte[] raw;
        int off;
    }

    private Ocsf() {
    }

    private static Field f(RecordStruct s, String name) {
        return s.field(name);
    }

    /** The OCSF classes of kernel records (Detection Finding: {@link DetectionFinding}, {@link OcsfDetection}). */
    public static final int PROCESS_ACTIVITY = 1007;
    public static final int FILE_SYSTEM_ACTIVITY = 1001;
    public static final int NETWORK_ACTIVITY = 4001;
    /** Policy events (kind policy): the agent's enforcement configuration changed, or a change was refused. */
    public static final int DEVICE_CONFIG_STATE_CHANGE = 5019;

    /**
     * Writes the OCSF event of the kernel record {@code payload[off..off+len)} as the value after
     * a {@code name}; false (nothing written) unless it is a whole record of a known kind. The
     * event's last member is always its {@code unmapped} object, whose members have fixed names
     * other than {@code verification}: the SIEM consumer adds its verification there, before the
     * last two bytes.
     */
    public static boolean event(JsonOut o, byte[] payload, int off, int len, long wallNanos, String host, String logId,
                                long seq) {
        Ctx c = CTX.get();
        RecordView r = c.view.wrap(payload, off, len);
        if (r.check() != RecordView.OK) {
            return false;
        }
        c.raw = payload;
        c.off = off;
        RecordKind k = r.kind();
        switch (k) {
            case EXEC -> exec(o, r, wallNanos, host, logId, seq);
            case FILE_OPEN -> fileOpen(o, r, wallNanos, host, logId, seq);
            case KERNEL_READ -> kernelRead(o, r, wallNanos, host, logId, seq);
            case CONNECT, BIND -> net(o, r, k, wallNanos, host, logId, seq);
            case PTRACE -> ptrace(o, r, wallNanos, host, logId, seq);
            case BPF -> bpf(o, r, wallNanos, host, logId, seq);
            case FORK -> fork(o, r, wallNanos, host, logId, seq);
            case EXIT -> exit(o, r, wallNanos, host, logId, seq);
            case SYSCALL -> syscall(o, r, wallNanos, host, logId, seq);
            case TCP_STATE -> tcpState(o, r, wallNanos, host, logId, seq);
            case POLICY -> policy(o, r, wallNanos, host, logId, seq);
            case DETECTION -> OcsfDetection.finding(o, r, wallNanos, host, logId, seq);
            case SANDBOX_DENIAL -> OcsfSandboxDenial.event(o, r, wallNanos, host, logId, seq);
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- classes ----

    private static void exec(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(EXEC_RET);
        int decision = (int) r.number(EXEC_DECISION);
        common(o, LAUNCH, wall, host, logId, seq, ret, decision);
        Ctx ctx = CTX.get();
        byte[] file = ctx.raw;
        int fileOff = ctx.off + EXEC_FILENAME.offset();
        int fileLen = textLength(file, fileOff, EXEC_FILENAME.size());
        int base = baseStart(file, fileOff, fileLen);
        o.name("process").begin();
        o.name("pid").num(r.number(TGID));
        o.name("uid").pair(r.number(TGID), r.number(START));
        o.name("name").utf8(file, fileOff + base, fileLen - base);
        cmdLine(o.name("cmd_line"), r);
        o.name("file").begin().name("path").utf8(file, fileOff, fileLen).name("name").utf8(file, fileOff + base, fileLen - base)
                .name("type_id").num(1).name("type").str("Regular File").end();
        o.name("user").begin().name("uid").quotedNum(r.number(UID)).end();
        o.name("parent_process").begin().name("pid").num(r.number(PTGID))
                .name("uid").pair(r.number(PTGID), r.number(PSTART)).end();
        o.end();
        o.name("actor").begin().name("process").begin().name("pid").num(r.number(PTGID))
                .name("uid").pair(r.number(PTGID), r.number(PSTART)).end()
                .name("user").begin().name("uid").quotedNum(r.number(UID)).end().end();
        unmappedStart(o, r, decision);
        text(o.name("comm"), r, COMM, false);
        o.name("tid").num(r.number(TID));
        o.name("gid").num(r.number(GID));
        o.name("argc").num(r.number(EXEC_ARGC));
        o.name("args_len").num(r.number(EXEC_ARGS_LEN));
        o.name("filename_len").num(r.number(EXEC_FILENAME_LEN));
        o.name("ino").unsigned(r.number(EXEC_INO));
        o.end();
        o.end();
    }

    private static void fileOpen(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(OPEN_RET);
        int decision = (int) r.number(OPEN_DECISION);
        common(o, FILE_OPEN, wall, host, logId, seq, ret, decision);
        o.name("file").begin();
        text(o.name("path"), r, OPEN_PATH, false);
        text(o.name("name"), r, OPEN_PATH, true);
        // the record has no inode mode: the kind of file opened is not known
        o.name("type_id").num(0).name("type").str("Unknown");
        o.name("uid").pair(r.number(OPEN_DEV), r.number(OPEN_INO)).end();
        actor(o, r);
        unmappedStart(o, r, decision);
        o.name("path_status").str(label(PATH_STATUS, (int) r.number(OPEN_STATUS)));
        o.name("path_len").num(r.number(OPEN_PATH_LEN));
        o.name("open_flags").num(r.number(OPEN_FLAGS));
        o.end();
        o.end();
    }

    private static void kernelRead(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(KR_RET);
        int decision = (int) r.number(KR_DECISION);
        common(o, FILE_READ, wall, host, logId, seq, ret, decision);
        o.name("file").begin();
        text(o.name("path"), r, KR_PATH, false);
        text(o.name("name"), r, KR_PATH, true);
        // the kernel reads modules, firmware, kexec images and policies from regular files
        o.name("type_id").num(1).name("type").str("Regular File");
        o.end();
        actor(o, r);
        unmappedStart(o, r, decision);
        o.name("kernel_read_id").num(r.number(KR_ID));
        o.name("path_status").str(label(PATH_STATUS, (int) r.number(KR_STATUS)));
        o.name("path_len").num(r.number(KR_PATH_LEN));
        o.end();
        o.end();
    }

    private static void net(JsonOut o, RecordView r, RecordKind k, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(NET_RET);
        int decision = (int) r.number(NET_DECISION);
        boolean connect = k == RecordKind.CONNECT;
        common(o, connect ? NET_OPEN : NET_BIND, wall, host, logId, seq, ret, decision);
        int family = (int) r.number(NET_FAMILY);
        int protocol = (int) r.number(NET_PROTOCOL);
        if (connect) {
            ip(o.name("dst_endpoint").begin().name("ip"), r, NET_DADDR, family).name("port").num(r.number(NET_DPORT)).end();
        } else {
            ip(o.name("src_endpoint").begin().name("ip"), r, NET_SADDR, family).name("port").num(r.number(NET_SPORT)).end();
        }
        o.name("connection_info").begin().name("protocol_num").num(protocol)
                .name("protocol_name").str(protocol == 6 ? "tcp" : protocol == 17 ? "udp" : String.valueOf(protocol))
                .name("protocol_ver_id").num(family == 10 ? 6 : family == 2 ? 4 : 0);
        direction(o, connect);
        o.end();
        actor(o, r);
        unmappedStart(o, r, decision);
        o.name("family").num(family);
        o.end();
        o.end();
    }

    private static void ptrace(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(PT_RET);
        int decision = (int) r.number(PT_DECISION);
        common(o, PROCESS_OPEN, wall, host, logId, seq, ret, decision);
        o.name("process").begin().name("pid").num(r.number(PT_TARGET)).end();
        actor(o, r);
        unmappedStart(o, r, decision);
        o.name("ptrace_mode").num(r.number(PT_MODE));
        o.end();
        o.end();
    }

    private static void bpf(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int ret = (int) r.number(BPF_RET);
        int decision = (int) r.number(BPF_DECISION);
        common(o, BPF_CALL, wall, host, logId, seq, ret, decision);
        selfProcess(o, r);
        actor(o, r);
        unmappedStart(o, r, decision);
        o.name("bpf_cmd").num(r.number(BPF_CMD));
        o.name("attr_size").num(r.number(BPF_ATTR));
        int target = (int) r.number(BPF_TARGET_TYPE);
        if (target != 0) {
            o.name("bpf_target").str(target < BPF_TARGETS.length ? BPF_TARGETS[target] : String.valueOf(target));
            o.name("bpf_target_id").num(r.number(BPF_TARGET_ID));
        }
        o.end();
        o.end();
    }

    private static void fork(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        common(o, LAUNCH, wall, host, logId, seq, 0, -1);
        o.name("process").begin().name("pid").num(r.number(FORK_CHILD))
                .name("uid").pair(r.number(FORK_CHILD), r.number(FORK_CHILD_START))
                .name("parent_process").begin().name("pid").num(r.number(TGID))
                .name("uid").pair(r.number(TGID), r.number(START)).end().end();
        actor(o, r);
        unmappedStart(o, r, -1);
        o.name("fork").bool(true);
        o.end();
        o.end();
    }

    private static void exit(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        common(o, TERMINATE, wall, host, logId, seq, 0, -1);
        int status = (int) r.number(EXIT_CODE);
        o.name("exit_code").num((status >> 8) & 0xFF);
        selfProcess(o, r);
        actor(o, r);
        unmappedStart(o, r, -1);
        o.name("wait_status").num(status);
        o.name("utime_ns").unsigned(r.number(EXIT_UTIME));
        o.name("stime_ns").unsigned(r.number(EXIT_STIME));
        o.end();
        o.end();
    }

    private static void syscall(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        long ret = r.number(SC_RET);
        common(o, SYSCALL_CALL, wall, host, logId, seq, ret < 0 ? (int) Math.max(ret, Integer.MIN_VALUE) : 0, -1);
        selfProcess(o, r);
        actor(o, r);
        unmappedStart(o, r, -1);
        o.name("syscall_nr").num(r.number(SC_NR));
        o.name("syscall_ret").num(ret);
        o.name("latency_ns").unsigned(r.number(SC_LATENCY));
        o.end();
        o.end();
    }

    private static void tcpState(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        common(o, TCP_STATE_CHANGE, wall, host, logId, seq, 0, -1);
        int family = (int) r.number(TCP_FAMILY);
        ip(o.name("src_endpoint").begin().name("ip"), r, TCP_SADDR, family).name("port").num(r.number(TCP_SPORT)).end();
        ip(o.name("dst_endpoint").begin().name("ip"), r, TCP_DADDR, family).name("port").num(r.number(TCP_DPORT)).end();
        o.name("connection_info").begin().name("protocol_num").num(6).name("protocol_name").str("tcp")
                .name("protocol_ver_id").num(family == 10 ? 6 : 4);
        direction(o, false);
        o.end();
        actor(o, r);
        unmappedStart(o, r, -1);
        o.name("tcp_old_state").num(r.number(TCP_OLD));
        o.name("tcp_new_state").num(r.number(TCP_NEW));
        o.end();
        o.end();
    }

    // ---- shared parts ----

    /** OCSF requires a direction: a connect is outbound; a bind or a state change does not say. */
    /**
     * A policy event as a Device Config State Change (class 5019, activity Log): state_id says
     * whether enforcement is on after the event (Enabled: enforce, Disabled: audit-only), a
     * refusal is a Failure with its one-line reason, and the rest (which event, versions,
     * digest) is in unmapped.
     */
    private static void policy(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int event = (int) r.number(POL_EVENT);
        boolean refused = event == POLICY_REFUSAL;
        boolean tampered = event == POLICY_TAMPER;
        boolean alarming = refused || event == POLICY_DEADMAN_LAPSE || event == POLICY_BREAK_GLASS || event == POLICY_REVERT;
        boolean enforcing = r.number(POL_MODE) == MODE_ENFORCE;
        o.begin();
        o.name("class_uid").num(DEVICE_CONFIG_STATE_CHANGE);
        o.name("class_name").str("Device Config State Change");
        o.name("category_uid").num(5).name("category_name").str("Discovery");
        o.name("activity_id").num(1).name("activity_name").str("Log");
        o.name("type_uid").num(DEVICE_CONFIG_STATE_CHANGE * 100L + 1).name("type_name").str("Device Config State Change: Log");
        o.name("time").num(Math.floorDiv(wall, 1_000_000L));
        if (tampered) {   // another process rewrote the enforcing maps: the agent restored them, but someone tried
            o.name("severity_id").num(4).name("severity").str("High");
        } else {
            o.name("severity_id").num(alarming ? 3 : 1).name("severity").str(alarming ? "Medium" : "Informational");
        }
        if (refused) {
            o.name("status_id").num(2).name("status").str("Failure");
            text(o.name("status_detail"), r, POL_DETAIL, false);
        } else {
            o.name("status_id").num(1).name("status").str("Success");
        }
        o.name("state_id").num(enforcing ? 2 : 1).name("state").str(enforcing ? "Enabled" : "Disabled");
        metadataStart(o, "twinlane", "security");
        o.name("uid").strNum(logId, seq);
        if (seq <= Integer.MAX_VALUE) {
            o.name("sequence").num(seq);
        }
        o.end();
        device(o, host);
        actor(o, r);
        unmappedStart(o, r, -1);
        o.name("policy_event").str(label(POLICY_EVENTS, event));
        o.name("mode").str(enforcing ? "enforce" : "audit");
        o.name("version").unsigned(r.number(POL_VERSION));
        o.name("previous_version").unsigned(r.number(POL_PREVIOUS));
        o.name("apply_ns").unsigned(r.number(POL_APPLY_NS));
        o.name("reason").num(r.number(POL_REASON));
        if (!refused) {
            text(o.name("detail"), r, POL_DETAIL, false);
        }
        o.end();
        o.end();
    }

    private static final Field POL_EVENT = f(RecordLayout.POLICY, "event");
    private static final Field POL_MODE = f(RecordLayout.POLICY, "mode");
    private static final Field POL_REASON = f(RecordLayout.POLICY, "reason");
    private static final Field POL_VERSION = f(RecordLayout.POLICY, "version");
    private static final Field POL_PREVIOUS = f(RecordLayout.POLICY, "previous_version");
    private static final Field POL_APPLY_NS = f(RecordLayout.POLICY, "apply_ns");
    private static final Field POL_DETAIL = f(RecordLayout.POLICY, "detail");
    /** enum tl_policy_event_kind, by code. */
    private static final String[] POLICY_EVENTS = {"0", "apply", "refusal", "rollback", "mode_change", "deadman_lapse",
        "break_glass", "revert", "tamper"};
    private static final int POLICY_REFUSAL = 2;
    private static final int POLICY_DEADMAN_LAPSE = 5;
    private static final int POLICY_BREAK_GLASS = 6;
    private static final int POLICY_REVERT = 7;
    private static final int POLICY_TAMPER = 8;
    /** enum tl_mode. */
    private static final int MODE_ENFORCE = 1;

    private static void direction(JsonOut o, boolean outbound) {
        o.name("direction_id").num(outbound ? 2 : 0).name("direction").str(outbound ? "Outbound" : "Unknown");
    }

    /** Opens the event object and writes the classification, time, status, metadata and device. */
    private static void common(JsonOut o, JsonOut.Members activity, long wall, String host, String logId, long seq, int ret,
                               int decision) {
        o.begin();
        o.members(activity);
        o.name("time").num(Math.floorDiv(wall, 1_000_000L));
        boolean blocked = decision == 1;
        o.members(blocked || decision == 2 ? MEDIUM : INFORMATIONAL);
        if (ret < 0) {
            o.name("status_id").num(2).name("status").str("Failure").name("status_code").quotedNum(-(long) ret)
                    .name("status_detail").str("errno " + (-(long) ret));
        } else {
            o.members(SUCCESS);
        }
        if (decision >= 0) {
            o.members(blocked ? BLOCKED : ALLOWED);
        }
        // actor and device are the host profile's; disposition is the security_control profile's
        o.members(decision >= 0 ? HOST_AND_SECURITY_CONTROL_METADATA : HOST_METADATA);
        metadataEnd(o, logId, seq);
        device(o, host);
    }

    private static final String[] HOST = {"host"};
    private static final String[] HOST_AND_SECURITY_CONTROL = {"host", "security_control"};
    // An event's constant members, rendered once (JsonOut.Members): each activity's classification,
    // severities, status, dispositions, and the metadata up to its uid
    private static final JsonOut.Members LAUNCH = activity(PROCESS_ACTIVITY, 1, "Launch");
    private static final JsonOut.Members TERMINATE = activity(PROCESS_ACTIVITY, 2, "Terminate");
    private static final JsonOut.Members PROCESS_OPEN = activity(PROCESS_ACTIVITY, 3, "Open");
    private static final JsonOut.Members BPF_CALL = activity(PROCESS_ACTIVITY, 99, "BPF");
    private static final JsonOut.Members SYSCALL_CALL = activity(PROCESS_ACTIVITY, 99, "Syscall");
    private static final JsonOut.Members FILE_OPEN = activity(FILE_SYSTEM_ACTIVITY, 14, "Open");
    private static final JsonOut.Members FILE_READ = activity(FILE_SYSTEM_ACTIVITY, 2, "Read");
    private static final JsonOut.Members NET_OPEN = activity(NETWORK_ACTIVITY, 1, "Open");
    private static final JsonOut.Members NET_BIND = activity(NETWORK_ACTIVITY, 99, "Bind");
    private static final JsonOut.Members TCP_STATE_CHANGE = activity(NETWORK_ACTIVITY, 99, "TCP State Change");
    private static final JsonOut.Members INFORMATIONAL = JsonOut.members(o -> o.name("severity_id").num(1)
            .name("severity").str("Informational"));
    private static final JsonOut.Members MEDIUM = JsonOut.members(o -> o.name("severity_id").num(3).name("severity").str("Medium"));
    private static final JsonOut.Members SUCCESS = JsonOut.members(o -> o.name("status_id").num(1).name("status").str("Success"));
    private static final JsonOut.Members ALLOWED = JsonOut.members(o -> o.name("disposition_id").num(1)
            .name("disposition").str("Allowed"));
    private static final JsonOut.Members BLOCKED = JsonOut.members(o -> o.name("disposition_id").num(2)
            .name("disposition").str("Blocked"));
    private static final JsonOut.Members HOST_METADATA = JsonOut.members(o -> metadataStart(o, "twinlane", "security", HOST));
    private static final JsonOut.Members HOST_AND_SECURITY_CONTROL_METADATA = JsonOut.members(
            o -> metadataStart(o, "twinlane", "security", HOST_AND_SECURITY_CONTROL));
    private static final JsonOut.Members DEVICE = JsonOut.members(o -> o.name("device").begin().name("type_id").num(0)
            .name("type").str("Unknown"));

    /** class_uid to type_name of one activity of a class. */
    private static JsonOut.Members activity(int classUid, int activityId, String activityName) {
        int category = classUid / 1000;
        return JsonOut.members(o -> o.name("class_uid").num(classUid).name("class_name").str(className(classUid))
                .name("category_uid").num(category)
                .name("category_name").str(category == 1 ? "System Activity" : "Network Activity")
                .name("activity_id").num(activityId).name("activity_name").str(activityName)
                .name("type_uid").num(classUid * 100L + activityId).name("type_name").strJoin(className(classUid), activityName));
    }

    /** The whole "metadata" of a security log record: as {@link #metadataStart}, then its uid LOGID:SEQ and sequence. */
    static void metadata(JsonOut o, String logId, long seq, String... profiles) {
        metadataStart(o, "twinlane", "security", profiles);
        metadataEnd(o, logId, seq);
    }

    /** The record's uid LOGID:SEQ and sequence, closing "metadata". */
    private static void metadataEnd(JsonOut o, String logId, long seq) {
        o.name("uid").strNum(logId, seq);
        if (seq <= Integer.MAX_VALUE) {
            o.name("sequence").num(seq); // an integer_t: a seq beyond it is in metadata.uid only
        }
        o.end();
    }

    /** Opens "metadata" with the schema version, the profiles used, the product and the log; the caller closes it. */
    static void metadataStart(JsonOut o, String product, String logName, String... profiles) {
        o.name("metadata").begin().name("version").str(VERSION);
        o.name("profiles").beginArray();
        for (String p : profiles) {
            o.element().str(p);
        }
        o.endArray();
        o.name("product").begin().name("name").str(product).name("vendor_name").str("twinlane").end();
        o.name("log_name").str(logName);
    }

    /** The host: its id; its type is not something the agent knows (type_id is required). */
    static void device(JsonOut o, String host) {
        o.members(DEVICE).name("uid").str(host).end();
    }

    private static String className(int classUid) {
        switch (classUid) {
            case PROCESS_ACTIVITY: return "Process Activity";
            case FILE_SYSTEM_ACTIVITY: return "File System Activity";
            case NETWORK_ACTIVITY: return "Network Activity";
            default: return "Base Event";
        }
    }

    /** The record's own process as actor (the header's task). */
    static void actor(JsonOut o, RecordView r) {
        o.name("actor").begin();
        o.name("process").begin();
        o.name("pid").num(r.number(TGID));
        o.name("ptid").num(r.number(TID)); // OCSF 1.6 deprecated tid for ptid
        o.name("uid").pair(r.number(TGID), r.number(START));
        text(o.name("name"), r, COMM, false);
        o.name("parent_process").begin().name("pid").num(r.number(PTGID))
                .name("uid").pair(r.number(PTGID), r.number(PSTART)).end();
        o.end();
        o.name("user").begin().name("uid").quotedNum(r.number(UID)).end();
        o.end();
    }

    private static void selfProcess(JsonOut o, RecordView r) {
        o.name("process").begin().name("pid").num(r.number(TGID)).name("uid").pair(r.number(TGID), r.number(START));
        text(o.name("name"), r, COMM, false);
        o.end();
    }

    /** Opens "unmapped" with what every record has; the caller adds its own and closes it. */
    static void unmappedStart(JsonOut o, RecordView r, int decision) {
        o.name("unmapped").begin();
        o.name("kind").str(r.kind().label());
        o.name("source").str(label(SOURCES, (int) r.number(SOURCE)));
        if (decision >= 0) {
            o.name("decision").str(label(DECISIONS, decision));
        }
        o.name("cpu").num(r.number(CPU));
        o.name("ktime_ns").unsigned(r.number(KTIME));
        o.name("cgroup_id").unsigned(r.number(CGROUP));
        o.name("gid").num(r.number(GID));
    }

    static String label(String[] names, int v) {
        return v >= 0 && v < names.length ? names[v] : String.valueOf(v);
    }

    /** A NUL-terminated text field (or its part after the last '/'), without a copy or a String. */
    static void text(JsonOut o, RecordView r, Field f, boolean baseOnly) {
        Ctx c = CTX.get();
        int start = c.off + f.offset();
        int n = textLength(c.raw, start, f.size());
        int from = baseOnly ? baseStart(c.raw, start, n) : 0;
        o.utf8(c.raw, start + from, n - from);
    }

    private static int textLength(byte[] b, int start, int max) {
        int n = 0;
        while (n < max && b[start + n] != 0) {
            n++;
        }
        return n;
    }

    private static int baseStart(byte[] b, int start, int n) {
        for (int i = n - 2; i >= 0; i--) {
            if (b[start + i] == '/') {
                return i + 1;
            }
        }
        return 0;
    }

    private static int textLength(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return n;
    }

    /** Where the base name starts: after the last '/', unless the path ends with one. */
    private static int baseStart(byte[] b, int n) {
        for (int i = n - 2; i >= 0; i--) {
            if (b[i] == '/') {
                return i + 1;
            }
        }
        return 0;
    }

    /** argv joined by spaces, as much as the record holds. */
    private static void cmdLine(JsonOut o, RecordView r) {
        Ctx c = CTX.get();
        int start = c.off + EXEC_ARGS.offset();
        int end = (int) Math.min(r.number(EXEC_ARGS_LEN), EXEC_ARGS.size());
        while (end > 0 && c.raw[start + end - 1] == 0) {
            end--;
        }
        o.utf8NulAsSpace(c.raw, start, end);
    }

    /** An address as text: IPv4 (also IPv4-mapped IPv6) dotted, other IPv6 as InetAddress writes it. */
    private static JsonOut ip(JsonOut o, RecordView r, Field f, int family) {
        int off = f.offset();
        boolean mapped = family == 10 && r.s64(off) == 0 && r.u16(off + 8) == 0 && r.u16(off + 10) == 0xFFFF;
        if (family != 10 || mapped) {
            int v4 = mapped ? off + 12 : off;
            return o.strJoinDots(r.u8(v4), r.u8(v4 + 1), r.u8(v4 + 2), r.u8(v4 + 3));
        }
        try {
            return o.str(InetAddress.getByAddress(r.bytes(off, 16)).getHostAddress());
        } catch (UnknownHostException e) {
            return o.str("");
        }
    }
}
