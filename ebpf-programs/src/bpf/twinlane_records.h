/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * twinlane_records.h: the single source of truth for every record that
 * crosses a BPF ring buffer, and for the maps user space writes.
 *
 * The Java decoders (ingest/.../RecordLayout.java) mirror these layouts;
 * RecordLayoutDriftTest compiles layout_dump.c against this header and fails
 * when any offset or size differs. Change both sides together and bump
 * TL_ABI_VERSION.
 *
 * Rules that keep the two sides simple:
 *  - every field is naturally aligned and every struct is padded explicitly,
 *    so the layout is the same for clang -target bpf and gcc on x86_64;
 *  - every record starts with kind (u16) and size (u16): a reader can skip or
 *    reject a record without knowing its kind;
 *  - strings are fixed-size, NUL-padded buffers with their true length beside
 *    them, so truncation is visible, never silent;
 *  - trimmed records: a file_open record ends where its path does. Its size is
 *    offsetof(path) plus the path's bytes, NUL included, rounded up to 8 (at
 *    least 8, at most TL_PATH_MAX), so its last byte is always a NUL. Bytes of
 *    the buffer past size are not part of the record; a reader takes them as
 *    NUL. Every other record is exactly sizeof its struct.
 */
#ifndef TWINLANE_RECORDS_H
#define TWINLANE_RECORDS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TL_ABI_VERSION 6

#define TL_COMM_LEN 16
#define TL_PATH_MAX 256
#define TL_ARGS_MAX 512
#define TL_PREFIX_MAX 128
#define TL_DETAIL_MAX 128
#define TL_RULE_NAME_MAX 40
#define TL_EVIDENCE_MAX 128
#define TL_BLOCKERS_MAX 96

/* Record kinds. Security-ring kinds are < 32, observability-ring kinds 32..126. */
enum tl_kind {
	TL_KIND_EXEC = 1,
	TL_KIND_FILE_OPEN = 2,
	TL_KIND_CONNECT = 3,
	TL_KIND_BIND = 4,
	TL_KIND_PTRACE = 5,
	TL_KIND_KERNEL_READ = 6,
	TL_KIND_BPF = 7,
	TL_KIND_POLICY = 8,     /* written by the agent (user space), not by a BPF program */
	TL_KIND_DETECTION = 9,  /* written by the agent (the detector), not by a BPF program */
	TL_KIND_SANDBOX_DENIAL = 10, /* written by the agent (from the kernel's audit records), not by a BPF program */

	TL_KIND_FORK = 32,
	TL_KIND_EXIT = 33,
	TL_KIND_SYSCALL = 34,
	TL_KIND_TCP_STATE = 35,

	/* Emitted only by the benchmark load generator (BPF_PROG_TEST_RUN). */
	TL_KIND_LOADGEN = 127,
};

/* Which kind of hook produced a record. */
enum tl_source {
	TL_SRC_LSM = 1,
	TL_SRC_TRACEPOINT = 2,
	TL_SRC_CGROUP = 3,
	TL_SRC_TEST_RUN = 4,
	TL_SRC_USER = 5,        /* the agent itself: policy events */
};

/* tl_policy_event.event */
enum tl_policy_event_kind {
	TL_POLICY_APPLY = 1,
	TL_POLICY_REFUSAL = 2,
	TL_POLICY_ROLLBACK = 3,
	TL_POLICY_MODE_CHANGE = 4,
	TL_POLICY_DEADMAN_LAPSE = 5,
	TL_POLICY_BREAK_GLASS = 6,
	TL_POLICY_REVERT = 7,
	TL_POLICY_TAMPER = 8,   /* the maps differ from the policy the agent applied (another writer): restored */
};

/* tl_header.decision_flags: how a decision was made, where it is not the plain mode's. */
enum tl_decision_flag {
	TL_FLAG_POLICY = 1,         /* a rule of the applied policy matched (not a --deny-* rule) */
	TL_FLAG_DEADMAN = 2,        /* the deadman had lapsed: the decision was audit-only */
	TL_FLAG_DEADMAN_FIRST = 4,  /* the first decision made since the deadman lapsed */
};

enum tl_decision {
	TL_ALLOW = 0,
	TL_DENY = 1,        /* enforced: the operation failed with ret */
	TL_AUDIT_DENY = 2,  /* a deny rule matched in audit mode: allowed, flagged */
};

/* How much of a record's path is real. */
enum tl_path_status {
	TL_PATH_FULL = 0,       /* the path, truncated only if path_len > TL_PATH_MAX */
	TL_PATH_UNKNOWN = 1,    /* the kernel could not give a path (bpf_d_path failed) */
	TL_PATH_NAME_ONLY = 2,  /* only the last component (hooks where bpf_d_path is not allowed) */
};

enum tl_ring {
	TL_RING_SECURITY = 0,
	TL_RING_OBSERVABILITY = 1,
	TL_RING_COUNT = 2,
};

enum tl_mode {
	TL_MODE_AUDIT = 0,
	TL_MODE_ENFORCE = 1,
};

/*
 * Common header of every process-attributed record (80 bytes).
 * exec_id = (tgid, start_ns): the thread-group leader's start time in boot
 * nanoseconds, stable across exec and never shared after pid reuse.
 */
struct tl_header {
	__u16 kind;
	__u16 size;             /* bytes of the whole record */
	__u32 cpu;
	__u64 ktime_ns;         /* bpf_ktime_get_boot_ns() */
	__u64 start_ns;         /* exec_id, part 1 */
	__u64 parent_start_ns;  /* parent exec_id, part 1 */
	__u32 tgid;             /* exec_id, part 2 */
	__u32 tid;
	__u32 ptgid;            /* parent exec_id, part 2 */
	__u32 uid;
	__u32 gid;
	__u8 source;            /* enum tl_source */
	__u8 decision_flags;    /* enum tl_decision_flag */
	__u8 _pad0[2];
	__u64 cgroup_id;
	char comm[TL_COMM_LEN];
};

/* Security: every exec (sched_process_exec), and denied execs (LSM bprm_check_security). */
struct tl_exec {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 _pad0[3];
	__u32 filename_len;     /* true length, may exceed TL_PATH_MAX */
	__u32 args_len;         /* true length of the NUL-separated argv block */
	__u32 argc;
	__u32 _pad1;
	__u64 ino;
	char filename[TL_PATH_MAX];
	char args[TL_ARGS_MAX];
};

/* Security: watched or denied opens. */
struct tl_file_open {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 path_status;       /* enum tl_path_status */
	__u8 _pad0[2];
	__u32 flags;
	__u32 path_len;
	__u64 ino;
	__u64 dev;              /* kernel encoding: major << 20 | minor */
	char path[TL_PATH_MAX];
};

/* Security: connect and bind (kind says which). Ports in host order. */
struct tl_net {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 protocol;          /* IPPROTO_* */
	__u16 family;           /* AF_INET or AF_INET6 */
	__u16 sport;
	__u16 dport;
	__u32 _pad0;
	__u8 saddr[16];         /* IPv4 in the first 4 bytes, network order */
	__u8 daddr[16];
};

struct tl_ptrace {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 _pad0[3];
	__u32 mode;
	__u32 target_tgid;
};

/* Security: module, firmware and other kernel file loads. */
struct tl_kernel_read {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 path_status;       /* enum tl_path_status: NAME_ONLY, bpf_d_path is not allowed there */
	__u8 _pad0[2];
	__u32 id;               /* enum kernel_read_file_id */
	__u32 path_len;
	char path[TL_PATH_MAX];
};

/* tl_bpf.target_type: what a bpf() command was aimed at, where the hook could tell. */
enum tl_bpf_target {
	TL_BPF_TARGET_NONE = 0,     /* not a command aimed at one object, or not resolved */
	TL_BPF_TARGET_MAP = 1,      /* target_id is a map id */
	TL_BPF_TARGET_PROG = 2,     /* target_id is a program id */
	TL_BPF_TARGET_PIN = 3,      /* BPF_OBJ_GET of a path under twinlane's pin directory (target_id 0) */
	TL_BPF_TARGET_LINK = 4,     /* target_id is a link id */
};

/*
 * Security: a bpf() command of a process other than the agent. decision is TL_DENY (or
 * TL_AUDIT_DENY) when it was aimed at one of twinlane's own maps or programs (self-protection).
 */
struct tl_bpf {
	struct tl_header h;
	__s32 ret;
	__u8 decision;
	__u8 target_type;       /* enum tl_bpf_target */
	__u8 _pad0[2];
	__s32 cmd;
	__u32 attr_size;
	__u32 target_id;        /* the map or program id the command named or whose fd it used */
	__u32 _pad1;
};

/*
 * Security: a policy event, written by the agent into the security lane (never by a BPF
 * program). The header is the agent's: tgid and tid its pid, start_ns 0 (user space cannot
 * read its exact start time), ktime_ns the boot time of the event, source TL_SRC_USER.
 */
struct tl_policy_event {
	struct tl_header h;
	__u8 event;             /* enum tl_policy_event_kind */
	__u8 mode;              /* enum tl_mode in force after the event */
	__u8 reason;            /* refusals: the policy module's Refusal.Reason, 1-based; else 0 */
	__u8 _pad0[5];
	__u64 version;          /* the policy version the event is about (0: none) */
	__u64 previous_version; /* the version in force before it (0: none) */
	__u64 apply_ns;         /* apply and rollback: the map writes' duration; else 0 */
	__u8 digest[32];        /* SHA-256 of the compiled policy (CompiledPolicy.digest()), zeros when none */
	__u32 detail_len;       /* true length, may exceed TL_DETAIL_MAX */
	__u32 _pad1;
	char detail[TL_DETAIL_MAX]; /* one line: a refusal's message, a rollback's or break-glass's reason */
};

/* tl_detection.field: which string of the subject record the detector flagged. */
enum tl_detection_field {
	TL_FIELD_EXEC_FILENAME = 1,
	TL_FIELD_EXEC_ARGS = 2,     /* the NUL-separated argv block; spans count its bytes */
	TL_FIELD_FILE_PATH = 3,
	TL_FIELD_KERNEL_READ_PATH = 4,
	TL_FIELD_COMM = 5,          /* tl_header.comm, of any kind */
};

/* tl_detection.threat_class: the detector's ThreatClass, 1-based in its order. */
enum tl_threat_class {
	TL_THREAT_COMMAND_INJECTION = 1,
	TL_THREAT_SQL_INJECTION = 2,
	TL_THREAT_PATH_TRAVERSAL = 3,
	TL_THREAT_PROMPT_INJECTION = 4,
	TL_THREAT_SOCIAL_ENGINEERING = 5,
};

/*
 * Security: a hostile payload the agent's detector found in a string of another record (the
 * subject), written by the agent (never by a BPF program) and appended to the security log
 * right after its subject. The header is the subject's, copied (kind and size excepted), so
 * exec_id, pid, comm and cgroup link the two. Spans count bytes of the raw field as recorded.
 */
struct tl_detection {
	struct tl_header h;
	__u16 subject_kind;     /* enum tl_kind of the subject record */
	__u8 field;             /* enum tl_detection_field */
	__u8 threat_class;      /* enum tl_threat_class */
	__u16 rule_id;          /* the rule's id in the detector's rules */
	__u16 arg_index;        /* TL_FIELD_EXEC_ARGS: the argv element the span starts in; else 0 */
	__u32 span_start;       /* first byte of the match in the raw field */
	__u32 span_len;         /* its length in raw bytes (may cross argv elements) */
	__u32 evidence_len;     /* true length of the normalised evidence, may exceed TL_EVIDENCE_MAX */
	__u8 subject_ring;      /* enum tl_ring the subject came from (1: promoted from observability) */
	__u8 _pad0[3];
	char rule[TL_RULE_NAME_MAX];        /* the rule's name */
	char evidence[TL_EVIDENCE_MAX];     /* the matched text after normalisation */
};

/* tl_sandbox_denial.denial_source: which confinement refused the operation. */
enum tl_denial_source {
	TL_DENIAL_SECCOMP = 1,      /* a seccomp filter's RET_ERRNO, logged (AUDIT_SECCOMP, type 1326) */
	TL_DENIAL_LANDLOCK = 2,     /* a Landlock domain (AUDIT_LANDLOCK_ACCESS, type 1423) */
};

/* tl_sandbox_denial.exec_id_status: where the header's exec_id came from. */
enum tl_exec_id_status {
	TL_EXEC_ID_FROM_EXEC = 0,   /* the latest exec record of that tgid the agent read */
	TL_EXEC_ID_UNKNOWN = 1,     /* no exec record of that tgid read by this agent: start_ns is 0 */
};

/*
 * Security: a denial of a sandboxed workload (seccomp or Landlock), written by the agent from
 * the kernel's audit records (never by a BPF program). The header is the workload's: tgid and
 * tid the audit record's pid, exec_id and parent exec_id from its exec record (exec_id_status),
 * uid, gid and comm the audit record's, ktime_ns the boot time the agent read it; source
 * TL_SRC_USER.
 */
struct tl_sandbox_denial {
	struct tl_header h;
	__u8 denial_source;     /* enum tl_denial_source */
	__u8 exec_id_status;    /* enum tl_exec_id_status */
	__u8 _pad0[2];
	__s32 syscall_nr;       /* the denied system call (x86_64 number); -1 when the kernel named none */
	__s32 error;            /* the errno the call failed with (positive); 0 when the kernel did not say */
	__u32 action;           /* seccomp: the filter's action (audit code=, e.g. 0x50000 RET_ERRNO); landlock 0 */
	__u64 audit_serial;     /* the audit event's serial: records of one event share it */
	__u64 audit_time_ms;    /* the audit event's time, Unix epoch milliseconds */
	__u64 landlock_domain;  /* Landlock's domain id (0 for seccomp) */
	__u32 blockers_len;     /* true length, may exceed TL_BLOCKERS_MAX */
	__u32 object_len;       /* true length, may exceed TL_PATH_MAX */
	char blockers[TL_BLOCKERS_MAX]; /* Landlock: the missing rights as the kernel names them (fs.make_reg,...) */
	char object[TL_PATH_MAX];       /* Landlock: the path, or daddr/dest or saddr/src of a TCP denial */
};

/* Observability: fork of a new thread group. */
struct tl_fork {
	struct tl_header h;
	__u64 child_start_ns;
	__u32 child_tgid;
	__u32 _pad0;
};

/* Observability: exit of a whole thread group. */
struct tl_exit {
	struct tl_header h;
	__s32 exit_code;        /* wait status: code << 8 | signal */
	__u32 _pad0;
	__u64 utime_ns;
	__u64 stime_ns;
};

/* Observability: one sampled syscall with its latency. */
struct tl_syscall {
	struct tl_header h;
	__s64 ret;
	__u64 latency_ns;
	__u32 nr;
	__u32 _pad0;
};

struct tl_tcp_state {
	struct tl_header h;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 oldstate;
	__u8 newstate;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* Benchmark load: 64 bytes, no process header (kind and size still first). */
struct tl_loadgen {
	__u16 kind;
	__u16 size;
	__u32 cpu;
	__u64 seq;
	__u64 ktime_ns;
	__u8 payload[40];
};

/* ---- maps written by user space ---- */

/* The single entry of the config array map. */
struct tl_config {
	__u32 mode;             /* enum tl_mode */
	__u32 record_all_opens;
	__u32 syscall_sample_rate; /* record 1 in N syscalls; 0 = none */
	__u32 agent_tgid;       /* excluded from syscall sampling (no feedback loop) */
	__u64 cgroup_filter;    /* observability only; 0 = every cgroup */
	/* When a submit wakes the ring's reader. 0: whenever the reader has caught up (the
	 * kernel's default, i.e. for nearly every record of a fast reader: an irq_work and a
	 * self-IPI paid on the traced CPU). N: only when the unread bytes cross N; the
	 * reader then also drains on a timer of its own, which bounds the delay. */
	__u32 security_wakeup_bytes;
	__u32 observability_wakeup_bytes;
};

/*
 * The single entry of the reader_state map, mapped by the agent: a reader that found its ring
 * idle for a while sets its flag and sleeps long; the next record then wakes it at once
 * (and clears the flag), so an idle agent is not woken every max_delay.
 */
struct tl_reader_state {
	__u32 security_asleep;
	__u32 _pad0;
};

/*
 * The entry per ring (enum tl_ring) of the drops_logged map, written by the agent only: the
 * drops counter's value up to which the security log holds GAP records, and a boot time no
 * later than any drop not in that count. It is pinned with the rings and the counters, so an
 * agent that takes them over logs the drops made while no agent ran, and only those.
 */
struct tl_drops_logged {
	__u64 count;
	__u64 since_boot_ns;
};

/* deny_inode and watch_inode key. dev in kernel encoding. */
struct tl_inode_key {
	__u64 ino;
	__u64 dev;
};

/* watch_prefix is an LPM trie over path bytes: prefixlen counts bits. */
struct tl_prefix_key {
	__u32 prefixlen;
	char path[TL_PREFIX_MAX];
};

/*
 * tl_protected key: one of twinlane's own maps, programs or links (type: TL_BPF_TARGET_MAP,
 * _PROG or _LINK), filled by the loader once everything is loaded, then frozen.
 */
struct tl_protected_key {
	__u32 type;
	__u32 id;
};

/* loadgen program context, passed through BPF_PROG_TEST_RUN ctx_in. */
struct tl_loadgen_args {
	__u64 count;
};

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct tl_header) == 80, "tl_header");
#endif

#endif /* TWINLANE_RECORDS_H */
