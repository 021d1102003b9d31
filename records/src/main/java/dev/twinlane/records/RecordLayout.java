package dev.twinlane.records;

import static dev.twinlane.records.FieldType.BYTES;
import static dev.twinlane.records.FieldType.CHARS;
import static dev.twinlane.records.FieldType.IP;
import static dev.twinlane.records.FieldType.S32;
import static dev.twinlane.records.FieldType.S64;
import static dev.twinlane.records.FieldType.STRINGS;
import static dev.twinlane.records.FieldType.U16;
import static dev.twinlane.records.FieldType.U32;
import static dev.twinlane.records.FieldType.U64;
import static dev.twinlane.records.FieldType.U8;

import java.util.List;

/**
 * The record layouts of twinlane_records.h, as the Java decoders read them.
 * RecordLayoutDriftTest checks every offset and size here against the C
 * header compiled by gcc; keep the field names identical to the C ones.
 */
public final class RecordLayout {
    public static final int ABI_VERSION = 6;
    public static final int COMM_LEN = 16;
    public static final int PATH_MAX = 256;
    public static final int ARGS_MAX = 512;
    public static final int PREFIX_MAX = 128;
    public static final int DETAIL_MAX = 128;
    public static final int RULE_NAME_MAX = 40;
    public static final int EVIDENCE_MAX = 128;
    public static final int BLOCKERS_MAX = 96;

    /** Header fields only (kind and size) every record starts with. */
    public static final int KIND_OFFSET = 0;
    public static final int SIZE_OFFSET = 2;

    public static final RecordStruct HEADER = new RecordStruct("tl_header", 80, null,
            f("kind", 0, 2, U16), f("size", 2, 2, U16), f("cpu", 4, 4, U32),
            f("ktime_ns", 8, 8, U64), f("start_ns", 16, 8, U64), f("parent_start_ns", 24, 8, U64),
            f("tgid", 32, 4, U32), f("tid", 36, 4, U32), f("ptgid", 40, 4, U32),
            f("uid", 44, 4, U32), f("gid", 48, 4, U32), f("source", 52, 1, U8), f("decision_flags", 53, 1, U8),
            f("cgroup_id", 56, 8, U64), f("comm", 64, COMM_LEN, CHARS));

    public static final RecordStruct EXEC = new RecordStruct("tl_exec", 880, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("filename_len", 88, 4, U32),
            f("args_len", 92, 4, U32), f("argc", 96, 4, U32), f("ino", 104, 8, U64),
            f("filename", 112, PATH_MAX, CHARS), f("args", 368, ARGS_MAX, STRINGS));

    public static final RecordStruct FILE_OPEN = new RecordStruct("tl_file_open", 368, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("path_status", 85, 1, U8), f("flags", 88, 4, U32),
            f("path_len", 92, 4, U32), f("ino", 96, 8, U64), f("dev", 104, 8, U64),
            f("path", 112, PATH_MAX, CHARS)).trimmed();

    public static final RecordStruct NET = new RecordStruct("tl_net", 128, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("protocol", 85, 1, U8),
            f("family", 86, 2, U16), f("sport", 88, 2, U16), f("dport", 90, 2, U16),
            f("saddr", 96, 16, IP), f("daddr", 112, 16, IP));

    public static final RecordStruct PTRACE = new RecordStruct("tl_ptrace", 96, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("mode", 88, 4, U32),
            f("target_tgid", 92, 4, U32));

    public static final RecordStruct KERNEL_READ = new RecordStruct("tl_kernel_read", 352, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("path_status", 85, 1, U8), f("id", 88, 4, U32),
            f("path_len", 92, 4, U32), f("path", 96, PATH_MAX, CHARS));

    /** target_type: 0 none, 1 map id, 2 program id, 3 a pin under the pin directory, 4 link id (enum tl_bpf_target). */
    public static final RecordStruct BPF = new RecordStruct("tl_bpf", 104, HEADER,
            f("ret", 80, 4, S32), f("decision", 84, 1, U8), f("target_type", 85, 1, U8), f("cmd", 88, 4, S32),
            f("attr_size", 92, 4, U32), f("target_id", 96, 4, U32));

    /** Written by the agent into the security lane (PolicyEvent), never by a BPF program. */
    public static final RecordStruct POLICY = new RecordStruct("tl_policy_event", 280, HEADER,
            f("event", 80, 1, U8), f("mode", 81, 1, U8), f("reason", 82, 1, U8), f("version", 88, 8, U64),
            f("previous_version", 96, 8, U64), f("apply_ns", 104, 8, U64), f("digest", 112, 32, BYTES),
            f("detail_len", 144, 4, U32), f("detail", 152, DETAIL_MAX, CHARS));

    /**
     * Written by the agent (the detector) right after its subject record, never by a BPF program;
     * the header is the subject's. field: {@link DetectionField}; threat_class: 1-based.
     */
    public static final RecordStruct DETECTION = new RecordStruct("tl_detection", 272, HEADER,
            f("subject_kind", 80, 2, U16), f("field", 82, 1, U8), f("threat_class", 83, 1, U8),
            f("rule_id", 84, 2, U16), f("arg_index", 86, 2, U16), f("span_start", 88, 4, U32),
            f("span_len", 92, 4, U32), f("evidence_len", 96, 4, U32), f("subject_ring", 100, 1, U8),
            f("rule", 104, RULE_NAME_MAX, CHARS), f("evidence", 144, EVIDENCE_MAX, CHARS));

    /**
     * Written by the agent from the kernel's audit records (a sandboxed workload's seccomp or
     * Landlock denial), never by a BPF program; the header is the workload's.
     * denial_source: {@link DenialSource}; exec_id_status: 0 from its exec record, 1 unknown.
     */
    public static final RecordStruct SANDBOX_DENIAL = new RecordStruct("tl_sandbox_denial", 480, HEADER,
            f("denial_source", 80, 1, U8), f("exec_id_status", 81, 1, U8), f("syscall_nr", 84, 4, S32),
            f("error", 88, 4, S32), f("action", 92, 4, U32), f("audit_serial", 96, 8, U64),
            f("audit_time_ms", 104, 8, U64), f("landlock_domain", 112, 8, U64), f("blockers_len", 120, 4, U32),
            f("object_len", 124, 4, U32), f("blockers", 128, BLOCKERS_MAX, CHARS), f("object", 224, PATH_MAX, CHARS));

    public static final RecordStruct FORK = new RecordStruct("tl_fork", 96, HEADER,
            f("child_start_ns", 80, 8, U64), f("child_tgid", 88, 4, U32));

    public static final RecordStruct EXIT = new RecordStruct("tl_exit", 104, HEADER,
            f("exit_code", 80, 4, S32), f("utime_ns", 88, 8, U64), f("stime_ns", 96, 8, U64));

    public static final RecordStruct SYSCALL = new RecordStruct("tl_syscall", 104, HEADER,
            f("ret", 80, 8, S64), f("latency_ns", 88, 8, U64), f("nr", 96, 4, U32));

    public static final RecordStruct TCP_STATE = new RecordStruct("tl_tcp_state", 120, HEADER,
            f("family", 80, 2, U16), f("sport", 82, 2, U16), f("dport", 84, 2, U16),
            f("oldstate", 86, 1, U8), f("newstate", 87, 1, U8),
            f("saddr", 88, 16, IP), f("daddr", 104, 16, IP));

    public static final RecordStruct LOADGEN = new RecordStruct("tl_loadgen", 64, null,
            f("kind", 0, 2, U16), f("size", 2, 2, U16), f("cpu", 4, 4, U32),
            f("seq", 8, 8, U64), f("ktime_ns", 16, 8, U64), f("payload", 24, 40, BYTES));

    /* Maps written by user space. */
    public static final RecordStruct CONFIG = new RecordStruct("tl_config", 32, null,
            f("mode", 0, 4, U32), f("record_all_opens", 4, 4, U32), f("syscall_sample_rate", 8, 4, U32),
            f("agent_tgid", 12, 4, U32), f("cgroup_filter", 16, 8, U64),
            f("security_wakeup_bytes", 24, 4, U32), f("observability_wakeup_bytes", 28, 4, U32));

    public static final RecordStruct READER_STATE = new RecordStruct("tl_reader_state", 8, null,
            f("security_asleep", 0, 4, U32));

    public static final RecordStruct DROPS_LOGGED = new RecordStruct("tl_drops_logged", 16, null,
            f("count", 0, 8, U64), f("since_boot_ns", 8, 8, U64));

    public static final RecordStruct INODE_KEY = new RecordStruct("tl_inode_key", 16, null,
            f("ino", 0, 8, U64), f("dev", 8, 8, U64));

    public static final RecordStruct PREFIX_KEY = new RecordStruct("tl_prefix_key", 132, null,
            f("prefixlen", 0, 4, U32), f("path", 4, PREFIX_MAX, CHARS));

    /** The tl_protected map's key: one of twinlane's own maps, programs or links (type 1 map, 2 program, 4 link). */
    public static final RecordStruct PROTECTED_KEY = new RecordStruct("tl_protected_key", 8, null,
            f("type", 0, 4, U32), f("id", 4, 4, U32));

    public static final List<RecordStruct> ALL = List.of(HEADER, EXEC, FILE_OPEN, NET, PTRACE, KERNEL_READ,
            BPF, POLICY, DETECTION, SANDBOX_DENIAL, FORK, EXIT, SYSCALL, TCP_STATE, LOADGEN, CONFIG, READER_STATE, DROPS_LOGGED,
            INODE_KEY, PREFIX_KEY,
            PROTECTED_KEY);

    private RecordLayout() {
    }

    private static Field f(String name, int offset, int size, FieldType type) {
        return new Field(name, offset, size, type);
    }
}
