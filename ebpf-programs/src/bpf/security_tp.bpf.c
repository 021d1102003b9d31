/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Security family, tracepoints: every exec with its argv, and the audit-only
 * stand-ins for file_open and socket_connect on kernels where LSM programs
 * cannot load. Tracepoints observe; they never enforce.
 */
#include "common.bpf.h"

SEC("tp/sched/sched_process_exec")
int tl_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct tl_exec *e = tl_reserve_security(struct tl_exec);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	tl_fill_header_task(&e->h, task, TL_KIND_EXEC, sizeof(*e), TL_SRC_TRACEPOINT);

	__u32 loc = ctx->__data_loc_filename;
	__u32 flen = loc >> 16;
	e->filename_len = flen ? flen - 1 : 0;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + (loc & 0xFFFF));

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u64 len = end > start ? end - start : 0;
	e->args_len = len;
	if (len > sizeof(e->args))
		len = sizeof(e->args);
	if (len)
		bpf_probe_read_user(e->args, len & (TL_ARGS_MAX - 1 + TL_ARGS_MAX), (void *)start);
	/* argc counts what the record holds; args_len says how much there was. */
	__u32 argc = 0;
	for (int i = 0; i < TL_ARGS_MAX; i++) {
		if (i >= len)
			break;
		if (e->args[i] == 0)
			argc++;
	}
	e->argc = argc;
	e->ino = BPF_CORE_READ(mm, exe_file, f_inode, i_ino);
	e->decision = TL_ALLOW;
	tl_submit_security(e);
	return 0;
}

/* The path is read and checked in a per-CPU buffer; only a watched open is
 * copied into the ring. Reserving first and discarding unwatched opens would
 * put a discarded record in the ring for every open on the system: a reader
 * waiting at that record is then never woken for the records behind it (a
 * discard submitted without wakeup), and waking it instead would wake it on
 * every open. It would also count ring-full drops for opens never recorded. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tl_open_scratch);
} tp_open_scratch SEC(".maps");

static __always_inline int tl_open_audit(const char *upath, __u32 flags)
{
	__u32 zero = 0;
	struct tl_open_scratch *s = bpf_map_lookup_elem(&tp_open_scratch, &zero);
	if (!s)
		return 0;
	struct tl_file_open *f = &s->rec;
	long n = bpf_probe_read_user_str(f->path, sizeof(f->path), upath);
	if (n <= 0)
		return 0;
	struct tl_config *c = tl_config();
	if (!(c && c->record_all_opens)) {
		/* Longest-prefix lookup on (at most) the first TL_PREFIX_MAX bytes. */
		__builtin_memcpy(s->key.path, f->path, TL_PREFIX_MAX);
		__u32 plen = n - 1;
		s->key.prefixlen = (plen > TL_PREFIX_MAX ? TL_PREFIX_MAX : plen) * 8;
		if (!bpf_map_lookup_elem(&watch_prefix, &s->key))
			return 0;
	}
	__u32 size = tl_trim_path(f, n);
	__builtin_memset(f, 0, offsetof(struct tl_file_open, path));
	tl_fill_header(&f->h, TL_KIND_FILE_OPEN, size, TL_SRC_TRACEPOINT);
	f->path_len = n - 1;
	f->flags = flags;
	f->decision = TL_ALLOW;
	tl_output_security(f, size, sizeof(*f));
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int tl_openat(struct trace_event_raw_sys_enter *ctx)
{
	return tl_open_audit((const char *)ctx->args[1], (__u32)ctx->args[2]);
}

/* open(2) and creat(2) are system calls of their own where the architecture has them (x86_64):
 * a program that calls them directly would not pass through the openat tracepoint. */
SEC("tp/syscalls/sys_enter_open")
int tl_open(struct trace_event_raw_sys_enter *ctx)
{
	return tl_open_audit((const char *)ctx->args[0], (__u32)ctx->args[1]);
}

SEC("tp/syscalls/sys_enter_creat")
int tl_creat(struct trace_event_raw_sys_enter *ctx)
{
	/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode): 0100 | 01 | 01000 */
	return tl_open_audit((const char *)ctx->args[0], 01101);
}

SEC("tp/syscalls/sys_enter_openat2")
int tl_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return tl_open_audit((const char *)ctx->args[1], (__u32)how.flags);
}

SEC("tp/syscalls/sys_enter_connect")
int tl_connect_audit(struct trace_event_raw_sys_enter *ctx)
{
	struct sockaddr_in6 sa = {};
	if (bpf_probe_read_user(&sa, sizeof(struct sockaddr_in), (void *)ctx->args[1]))
		return 0;
	if (sa.sin6_family == AF_INET6)
		bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]);
	else if (sa.sin6_family != AF_INET)
		return 0;

	struct tl_net *n = tl_reserve_security(struct tl_net);
	if (!n)
		return 0;
	__builtin_memset(n, 0, sizeof(*n));
	tl_fill_header(&n->h, TL_KIND_CONNECT, sizeof(*n), TL_SRC_TRACEPOINT);
	n->family = sa.sin6_family;
	n->dport = bpf_ntohs(sa.sin6_port);
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;
		__builtin_memcpy(n->daddr, &in->sin_addr.s_addr, 4);
		n->decision = tl_decide(tl_ipv4_denied(in->sin_addr.s_addr, n->dport)) ? TL_AUDIT_DENY : TL_ALLOW;
	} else {
		__builtin_memcpy(n->daddr, &sa.sin6_addr, 16);
		n->decision = tl_decide(tl_ipv6_denied(n->daddr, n->dport)) ? TL_AUDIT_DENY : TL_ALLOW;
	}
	tl_submit_security(n);
	return 0;
}
