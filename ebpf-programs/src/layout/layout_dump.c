/*
 * Prints the layout of every record in twinlane_records.h as
 * "struct field offset size" lines (and "struct - 0 size" for the whole),
 * compiled by gcc at build time. RecordLayoutDriftTest compares the Java
 * decoders with this output.
 */
#include <stddef.h>
#include <stdio.h>
#include "twinlane_records.h"

#define S(t) printf("%s - 0 %zu\n", #t, sizeof(struct t))
#define F(t, f) printf("%s %s %zu %zu\n", #t, #f, offsetof(struct t, f), sizeof(((struct t *)0)->f))
#define E(n) printf("const %s %d 0\n", #n, (int)(n))

int main(void)
{
	S(tl_header); F(tl_header, kind); F(tl_header, size); F(tl_header, cpu); F(tl_header, ktime_ns);
	F(tl_header, start_ns); F(tl_header, parent_start_ns); F(tl_header, tgid); F(tl_header, tid);
	F(tl_header, ptgid); F(tl_header, uid); F(tl_header, gid); F(tl_header, source); F(tl_header, decision_flags);
	F(tl_header, cgroup_id); F(tl_header, comm);

	S(tl_policy_event); F(tl_policy_event, event); F(tl_policy_event, mode); F(tl_policy_event, reason);
	F(tl_policy_event, version); F(tl_policy_event, previous_version); F(tl_policy_event, apply_ns);
	F(tl_policy_event, digest); F(tl_policy_event, detail_len); F(tl_policy_event, detail);

	S(tl_detection); F(tl_detection, subject_kind); F(tl_detection, field); F(tl_detection, threat_class);
	F(tl_detection, rule_id); F(tl_detection, arg_index); F(tl_detection, span_start); F(tl_detection, span_len);
	F(tl_detection, evidence_len); F(tl_detection, subject_ring); F(tl_detection, rule); F(tl_detection, evidence);

	S(tl_sandbox_denial); F(tl_sandbox_denial, denial_source); F(tl_sandbox_denial, exec_id_status);
	F(tl_sandbox_denial, syscall_nr); F(tl_sandbox_denial, error); F(tl_sandbox_denial, action);
	F(tl_sandbox_denial, audit_serial); F(tl_sandbox_denial, audit_time_ms); F(tl_sandbox_denial, landlock_domain);
	F(tl_sandbox_denial, blockers_len); F(tl_sandbox_denial, object_len); F(tl_sandbox_denial, blockers);
	F(tl_sandbox_denial, object);

	S(tl_exec); F(tl_exec, ret); F(tl_exec, decision); F(tl_exec, filename_len); F(tl_exec, args_len);
	F(tl_exec, argc); F(tl_exec, ino); F(tl_exec, filename); F(tl_exec, args);

	S(tl_file_open); F(tl_file_open, ret); F(tl_file_open, decision); F(tl_file_open, path_status); F(tl_file_open, flags);
	F(tl_file_open, path_len); F(tl_file_open, ino); F(tl_file_open, dev); F(tl_file_open, path);

	S(tl_net); F(tl_net, ret); F(tl_net, decision); F(tl_net, protocol); F(tl_net, family);
	F(tl_net, sport); F(tl_net, dport); F(tl_net, saddr); F(tl_net, daddr);

	S(tl_ptrace); F(tl_ptrace, ret); F(tl_ptrace, decision); F(tl_ptrace, mode); F(tl_ptrace, target_tgid);

	S(tl_kernel_read); F(tl_kernel_read, ret); F(tl_kernel_read, decision); F(tl_kernel_read, path_status); F(tl_kernel_read, id);
	F(tl_kernel_read, path_len); F(tl_kernel_read, path);

	S(tl_bpf); F(tl_bpf, ret); F(tl_bpf, decision); F(tl_bpf, target_type); F(tl_bpf, cmd); F(tl_bpf, attr_size);
	F(tl_bpf, target_id);

	S(tl_fork); F(tl_fork, child_start_ns); F(tl_fork, child_tgid);

	S(tl_exit); F(tl_exit, exit_code); F(tl_exit, utime_ns); F(tl_exit, stime_ns);

	S(tl_syscall); F(tl_syscall, ret); F(tl_syscall, latency_ns); F(tl_syscall, nr);

	S(tl_tcp_state); F(tl_tcp_state, family); F(tl_tcp_state, sport); F(tl_tcp_state, dport);
	F(tl_tcp_state, oldstate); F(tl_tcp_state, newstate); F(tl_tcp_state, saddr); F(tl_tcp_state, daddr);

	S(tl_loadgen); F(tl_loadgen, kind); F(tl_loadgen, size); F(tl_loadgen, cpu); F(tl_loadgen, seq);
	F(tl_loadgen, ktime_ns); F(tl_loadgen, payload);

	S(tl_config); F(tl_config, mode); F(tl_config, record_all_opens); F(tl_config, syscall_sample_rate);
	F(tl_config, agent_tgid); F(tl_config, cgroup_filter);
	F(tl_config, security_wakeup_bytes); F(tl_config, observability_wakeup_bytes);
	S(tl_reader_state); F(tl_reader_state, security_asleep);
	S(tl_drops_logged); F(tl_drops_logged, count); F(tl_drops_logged, since_boot_ns);

	S(tl_inode_key); F(tl_inode_key, ino); F(tl_inode_key, dev);
	S(tl_prefix_key); F(tl_prefix_key, prefixlen); F(tl_prefix_key, path);
	S(tl_protected_key); F(tl_protected_key, type); F(tl_protected_key, id);

	E(TL_ABI_VERSION);
	E(TL_KIND_EXEC); E(TL_KIND_FILE_OPEN); E(TL_KIND_CONNECT); E(TL_KIND_BIND); E(TL_KIND_PTRACE);
	E(TL_KIND_KERNEL_READ); E(TL_KIND_BPF); E(TL_KIND_FORK); E(TL_KIND_EXIT); E(TL_KIND_SYSCALL);
	E(TL_KIND_TCP_STATE); E(TL_KIND_LOADGEN); E(TL_KIND_POLICY); E(TL_KIND_DETECTION);
	E(TL_KIND_SANDBOX_DENIAL);
	E(TL_SRC_LSM); E(TL_SRC_TRACEPOINT); E(TL_SRC_CGROUP); E(TL_SRC_TEST_RUN); E(TL_SRC_USER);
	E(TL_ALLOW); E(TL_DENY); E(TL_AUDIT_DENY);
	E(TL_PATH_FULL); E(TL_PATH_UNKNOWN); E(TL_PATH_NAME_ONLY);
	E(TL_RING_SECURITY); E(TL_RING_OBSERVABILITY);
	E(TL_MODE_AUDIT); E(TL_MODE_ENFORCE);
	E(TL_POLICY_APPLY); E(TL_POLICY_REFUSAL); E(TL_POLICY_ROLLBACK); E(TL_POLICY_MODE_CHANGE);
	E(TL_POLICY_DEADMAN_LAPSE); E(TL_POLICY_BREAK_GLASS); E(TL_POLICY_REVERT); E(TL_POLICY_TAMPER);
	E(TL_BPF_TARGET_NONE); E(TL_BPF_TARGET_MAP); E(TL_BPF_TARGET_PROG); E(TL_BPF_TARGET_PIN); E(TL_BPF_TARGET_LINK);
	E(TL_FIELD_EXEC_FILENAME); E(TL_FIELD_EXEC_ARGS); E(TL_FIELD_FILE_PATH); E(TL_FIELD_KERNEL_READ_PATH);
	E(TL_FIELD_COMM);
	E(TL_THREAT_COMMAND_INJECTION); E(TL_THREAT_SQL_INJECTION); E(TL_THREAT_PATH_TRAVERSAL);
	E(TL_THREAT_PROMPT_INJECTION); E(TL_THREAT_SOCIAL_ENGINEERING);
	E(TL_DENIAL_SECCOMP); E(TL_DENIAL_LANDLOCK); E(TL_EXEC_ID_FROM_EXEC); E(TL_EXEC_ID_UNKNOWN);
	E(TL_BLOCKERS_MAX);
	E(TL_RULE_NAME_MAX); E(TL_EVIDENCE_MAX);
	E(TL_COMM_LEN); E(TL_PATH_MAX); E(TL_ARGS_MAX); E(TL_PREFIX_MAX);
	return 0;
}
