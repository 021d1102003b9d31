/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Observability family: process lifecycle, sampled syscall latency, TCP
 * state changes. Nothing here decides anything.
 */
#include "common.bpf.h"

/*
 * sys_enter time of a sampled syscall, in the thread's own storage: sys_exit runs for
 * every syscall of every thread, and a task-storage lookup is a pointer walk from the
 * task, where a hash map lookup (and the delete after it) cost a hash and a bucket walk
 * on each of them. A thread whose syscall was not sampled has no entry, or 0.
 */
struct tl_syscall_start {
	__u64 ktime_ns;         /* 0: this thread's current syscall is not sampled */
	__u64 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tl_syscall_start);
} syscall_start SEC(".maps");

static __always_inline int tl_observed_cgroup(struct tl_config *c)
{
	return !c->cgroup_filter || c->cgroup_filter == bpf_get_current_cgroup_id();
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tl_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Threads share their group's exec_id: only new thread groups count. */
	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid))
		return 0;
	struct tl_config *c = tl_config();
	if (c && !tl_observed_cgroup(c))
		return 0;
	struct tl_fork *f = tl_reserve_observability(struct tl_fork);
	if (!f)
		return 0;
	tl_fill_header_task(&f->h, parent, TL_KIND_FORK, sizeof(*f), TL_SRC_TRACEPOINT);
	f->child_tgid = BPF_CORE_READ(child, tgid);
	f->child_start_ns = BPF_CORE_READ(child, start_time);
	f->_pad0 = 0;
	tl_submit_observability(f);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int tl_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* signal->live was decremented before this tracepoint: 0 means the group is gone. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	struct tl_config *c = tl_config();
	if (c && !tl_observed_cgroup(c))
		return 0;
	struct tl_exit *x = tl_reserve_observability(struct tl_exit);
	if (!x)
		return 0;
	tl_fill_header_task(&x->h, task, TL_KIND_EXIT, sizeof(*x), TL_SRC_TRACEPOINT);
	x->exit_code = BPF_CORE_READ(task, exit_code);
	x->_pad0 = 0;
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	x->utime_ns = BPF_CORE_READ(task, utime) + BPF_CORE_READ(sig, utime);
	x->stime_ns = BPF_CORE_READ(task, stime) + BPF_CORE_READ(sig, stime);
	tl_submit_observability(x);
	return 0;
}

/*
 * Both run on every system call of the machine, so they are BTF raw tracepoints
 * (tp_btf), not tp/raw_syscalls: a classic tracepoint first copies the call's
 * arguments into a perf trace buffer for the program, on the traced thread, which
 * was most of what sampling cost a workload; here the program reads its two
 * arguments directly. The syscall number is kept at sys_enter for sys_exit.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tl_sys_enter, struct pt_regs *regs, long id)
{
	struct tl_config *c = tl_config();
	if (!c || !c->syscall_sample_rate)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((__u32)(pid_tgid >> 32) == c->agent_tgid)
		return 0;
	if (c->syscall_sample_rate > 1 && bpf_get_prandom_u32() % c->syscall_sample_rate)
		return 0;
	if (!tl_observed_cgroup(c))
		return 0;
	struct tl_syscall_start *start = bpf_task_storage_get(&syscall_start, bpf_get_current_task_btf(), 0,
							      BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start) {
		start->ktime_ns = bpf_ktime_get_boot_ns();
		start->nr = id;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tl_sys_exit, struct pt_regs *regs, long ret)
{
	struct tl_syscall_start *start = bpf_task_storage_get(&syscall_start, bpf_get_current_task_btf(), 0, 0);
	if (!start || !start->ktime_ns)
		return 0;
	__u64 began = start->ktime_ns;
	start->ktime_ns = 0;
	struct tl_syscall *s = tl_reserve_observability(struct tl_syscall);
	if (!s)
		return 0;
	tl_fill_header(&s->h, TL_KIND_SYSCALL, sizeof(*s), TL_SRC_TRACEPOINT);
	s->ret = ret;
	s->latency_ns = s->h.ktime_ns - began;
	s->nr = (__u32)start->nr;
	s->_pad0 = 0;
	tl_submit_observability(s);
	return 0;
}

SEC("tp/sock/inet_sock_set_state")
int tl_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	struct tl_tcp_state *t = tl_reserve_observability(struct tl_tcp_state);
	if (!t)
		return 0;
	tl_fill_header(&t->h, TL_KIND_TCP_STATE, sizeof(*t), TL_SRC_TRACEPOINT);
	t->family = ctx->family;
	t->sport = ctx->sport;
	t->dport = ctx->dport;
	t->oldstate = ctx->oldstate;
	t->newstate = ctx->newstate;
	__builtin_memset(t->saddr, 0, sizeof(t->saddr));
	__builtin_memset(t->daddr, 0, sizeof(t->daddr));
	/* Copy through the helper: the verifier refuses loads at computed ctx offsets. */
	if (ctx->family == AF_INET) {
		bpf_probe_read_kernel(t->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(t->daddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(t->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(t->daddr, 16, ctx->daddr_v6);
	}
	tl_submit_observability(t);
	return 0;
}
