/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Maps and helpers shared by every twinlane program family. Each family is its
 * own object so one that the kernel refuses (LSM on a kernel without the BPF
 * LSM) cannot take the others down; the loader creates these maps once and
 * hands the same fds to every object (bpf_map__reuse_fd).
 */
#ifndef TWINLANE_COMMON_BPF_H
#define TWINLANE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "twinlane_records.h"

#define EPERM 1
#define AF_INET 2
#define AF_INET6 10

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Sizes are set by the loader before load; these are the defaults. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} security_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} observability_ring SEC(".maps");

/* Reservation failures per ring (enum tl_ring), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TL_RING_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* What the security log holds of drops (enum tl_ring): written by the agent, never by a program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TL_RING_COUNT);
	__type(key, __u32);
	__type(value, struct tl_drops_logged);
} drops_logged SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tl_config);
} tl_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct tl_reader_state);
} reader_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tl_inode_key);
	__type(value, __u8);
} deny_inode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);             /* IPv4, network order */
	__type(value, __u8);
} deny_ipv4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u8[16]);
	__type(value, __u8);
} deny_ipv6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u16);             /* host order */
	__type(value, __u8);
} deny_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tl_inode_key);
	__type(value, __u8);
} watch_inode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tl_prefix_key);
	__type(value, __u8);
} watch_prefix SEC(".maps");

/*
 * Self-protection (lsm/bpf): twinlane's own maps and programs by id, and the pin directory
 * as a path prefix. Filled by the loader once everything is loaded, then frozen
 * (BPF_MAP_FREEZE), so no process can change them through bpf() afterwards.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct tl_protected_key);
	__type(value, __u8);
} tl_protected SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tl_prefix_key);
	__type(value, __u8);
} tl_protected_pin SEC(".maps");

/* A file_open record built off-ring, and the prefix key to look its path up
 * with: each program family keeps its own per-CPU copy (see the families). */
struct tl_open_scratch {
	struct tl_file_open rec;
	struct tl_prefix_key key;
};

/*
 * Trims a file_open record whose path holds n bytes (its NUL included) and
 * returns the record's size: the fixed part, then the path rounded up to 8
 * bytes (twinlane_records.h, "trimmed records"). Only the rounding's bytes are
 * cleared; the rest of the buffer, an earlier open's path perhaps, is never
 * sent. A typical path then costs a few dozen bytes, not TL_PATH_MAX, in the
 * ring copy on the traced thread and in every hop after it.
 */
static __always_inline __u32 tl_trim_path(struct tl_file_open *f, __u32 n)
{
	__u32 tail = (n + 7) & ~7U;
	if (tail < 8)
		tail = 8;
	if (tail > TL_PATH_MAX)
		tail = TL_PATH_MAX;
	for (int i = 0; i < 8; i++) {
		__u32 k = n + i;
		if (k >= tail)
			break;
		/* The compiler would drop the mask as redundant; the verifier needs it to see the bound. */
		barrier_var(k);
		f->path[k & (TL_PATH_MAX - 1)] = 0;
	}
	/* Clamped again past the barrier, so that the verifier sees the record's bound. */
	barrier_var(tail);
	if (tail > TL_PATH_MAX)
		tail = TL_PATH_MAX;
	return offsetof(struct tl_file_open, path) + tail;
}

static __always_inline struct tl_config *tl_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tl_config_map, &zero);
}

static __always_inline int tl_enforcing(void)
{
	struct tl_config *c = tl_config();
	return c && c->mode == TL_MODE_ENFORCE;
}

/*
 * Wake-up flags for a record of `size` bytes when `avail` bytes are unread with
 * it: with a watermark, wake the reader only when this record takes the unread
 * bytes across it (once per crossing, not once per record above it: the reader
 * drains until empty before it sleeps, and its own timer bounds the delay of
 * anything below the watermark, or of a crossing that concurrent producers on
 * other CPUs hid from each other). Without one, the kernel's default.
 */
static __always_inline __u64 tl_wakeup(__u64 avail, __u32 watermark, __u64 size)
{
	if (!watermark)
		return 0;
	__u64 step = (size + 8 + 7) & ~7ULL;   /* the ring's 8-byte record header, 8-byte aligned */
	return avail >= watermark && avail - step < watermark ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The security reader went to sleep on an idle ring: this record wakes it (see tl_reader_state). */
static __always_inline int tl_security_reader_asleep(void)
{
	__u32 zero = 0;
	struct tl_reader_state *s = bpf_map_lookup_elem(&reader_state, &zero);
	if (!s || !s->security_asleep)
		return 0;
	s->security_asleep = 0;
	return 1;
}

static __always_inline __u64 tl_security_wakeup(__u64 size)
{
	struct tl_config *c = tl_config();
	if (tl_security_reader_asleep())
		return BPF_RB_FORCE_WAKEUP;
	return c ? tl_wakeup(bpf_ringbuf_query(&security_ring, BPF_RB_AVAIL_DATA), c->security_wakeup_bytes, size) : 0;
}

static __always_inline __u64 tl_observability_wakeup(__u64 size)
{
	struct tl_config *c = tl_config();
	return c ? tl_wakeup(bpf_ringbuf_query(&observability_ring, BPF_RB_AVAIL_DATA),
			     c->observability_wakeup_bytes, size) : 0;
}

/* Every record leaves through one of these, so the wake-up policy is in one place. */
#define tl_submit_security(rec) bpf_ringbuf_submit((rec), tl_security_wakeup(sizeof(*(rec))))
#define tl_submit_observability(rec) bpf_ringbuf_submit((rec), tl_observability_wakeup(sizeof(*(rec))))

/* Reserve ring space, counting a failure instead of losing it silently. */
static __always_inline void *tl_reserve(void *ring, __u32 ring_id, __u64 size)
{
	void *rec = bpf_ringbuf_reserve(ring, size, 0);
	if (!rec) {
		__u64 *n = bpf_map_lookup_elem(&drops, &ring_id);
		if (n)
			*n += 1;
	}
	return rec;
}

/*
 * Copy a record built elsewhere (a per-CPU buffer) into the security ring, counting a failure.
 * max: the record's struct size. A trimmed record's size is computed, and older verifiers
 * (6.1) lose the bound tl_trim_path gave it across the calls in between; clamping it here,
 * right before the copy and behind a barrier the compiler cannot see through, keeps it.
 */
static __always_inline void tl_output_security(void *rec, __u64 size, __u64 max)
{
	/* The record is not in the ring yet: count it in for the crossing test. */
	struct tl_config *c = tl_config();
	__u64 flags = tl_security_reader_asleep() ? BPF_RB_FORCE_WAKEUP : c ? tl_wakeup(bpf_ringbuf_query(&security_ring, BPF_RB_AVAIL_DATA) + ((size + 15) & ~7ULL),
				    c->security_wakeup_bytes, size) : 0;
	barrier_var(size);
	if (size > max)
		size = max;
	if (bpf_ringbuf_output(&security_ring, rec, size, flags)) {
		__u32 ring_id = TL_RING_SECURITY;
		__u64 *n = bpf_map_lookup_elem(&drops, &ring_id);
		if (n)
			*n += 1;
	}
}

#define tl_reserve_security(type) \
	((type *)tl_reserve(&security_ring, TL_RING_SECURITY, sizeof(type)))
#define tl_reserve_observability(type) \
	((type *)tl_reserve(&observability_ring, TL_RING_OBSERVABILITY, sizeof(type)))

static __always_inline void tl_fill_header_task(struct tl_header *h, struct task_struct *task,
						__u16 kind, __u16 size, __u8 source)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);

	h->kind = kind;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ktime_ns = bpf_ktime_get_boot_ns();
	h->start_ns = BPF_CORE_READ(task, group_leader, start_time);
	h->parent_start_ns = BPF_CORE_READ(parent, group_leader, start_time);
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ptgid = BPF_CORE_READ(parent, tgid);
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->source = source;
	h->decision_flags = 0;
	h->_pad0[0] = 0;
	h->_pad0[1] = 0;
	h->cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memset(h->comm, 0, sizeof(h->comm));
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/*
 * The header of a record about the current task, for tracing and LSM programs: the task and its
 * parent, their creds and cgroup are read through BTF pointers, plain loads the JIT guards,
 * instead of a bpf_probe_read_kernel per field (CO-RE) and a helper call each for the ids, uid
 * and cgroup. Same values (current's tgid/pid, its subjective cred's uid/gid as the init
 * namespace sees them, its default-hierarchy cgroup's id) for less: the overhead benchmark's C
 * floor went from 1.358 to 1.266 on its open+close loop (bench/README.md, "Per-event cost").
 * cgroup programs may not read a task through BTF: they use tl_fill_header_cgroup.
 */
static __always_inline void tl_fill_header(struct tl_header *h, __u16 kind, __u16 size, __u8 source)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent = task->real_parent;
	const struct cred *cred = task->cred;

	h->kind = kind;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ktime_ns = bpf_ktime_get_boot_ns();
	h->start_ns = task->group_leader->start_time;
	h->parent_start_ns = parent->group_leader->start_time;
	h->tgid = task->tgid;
	h->tid = task->pid;
	h->ptgid = parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->source = source;
	h->decision_flags = 0;
	h->_pad0[0] = 0;
	h->_pad0[1] = 0;
	h->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	/* Two loads instead of bpf_get_current_comm: the helper call cost 44 ns more per record on
	 * the 2-core benchmark host (a tp_btf program with either, bpf_stats). The kernel keeps comm
	 * NUL-padded (__set_task_comm pads), so the copy is the helper's result. */
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
}

/* The header of a record about the current task, in a cgroup program (helpers and CO-RE reads). */
static __always_inline void tl_fill_header_cgroup(struct tl_header *h, __u16 kind, __u16 size, __u8 source)
{
	tl_fill_header_task(h, (struct task_struct *)bpf_get_current_task(), kind, size, source);
}

static __always_inline int tl_ipv4_denied(__u32 addr_be, __u16 port)
{
	return bpf_map_lookup_elem(&deny_ipv4, &addr_be) || bpf_map_lookup_elem(&deny_port, &port);
}

/* addr (16 bytes, network order) is ::ffff:a.b.c.d, an IPv4-mapped IPv6 address. */
static __always_inline int tl_ipv4_mapped(const __u8 *addr)
{
	__u32 w0, w1, w2;
	__builtin_memcpy(&w0, addr, 4);
	__builtin_memcpy(&w1, addr + 4, 4);
	__builtin_memcpy(&w2, addr + 8, 4);
	return w0 == 0 && w1 == 0 && w2 == bpf_htonl(0xffff);
}

/*
 * An IPv4-mapped address (a dual-stack socket reaching an IPv4 peer) obeys the IPv4 rules, so
 * a --deny-addr of an IPv4 address is one entry, without a mapped copy in deny_ipv6.
 */
static __always_inline int tl_ipv6_denied(const __u8 *addr, __u16 port)
{
	if (tl_ipv4_mapped(addr)) {
		__u32 a;
		__builtin_memcpy(&a, addr + 12, 4);
		if (bpf_map_lookup_elem(&deny_ipv4, &a))
			return 1;
	}
	return bpf_map_lookup_elem(&deny_ipv6, addr) || bpf_map_lookup_elem(&deny_port, &port);
}

/* Decision for a matched deny rule under the current mode. */
static __always_inline __u8 tl_decide(int matched)
{
	if (!matched)
		return TL_ALLOW;
	return tl_enforcing() ? TL_DENY : TL_AUDIT_DENY;
}

#include "policy_maps.bpf.h"

#endif /* TWINLANE_COMMON_BPF_H */
