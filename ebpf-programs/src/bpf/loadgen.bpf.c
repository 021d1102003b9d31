/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Load generator for benchmarks and decoder tests, run with
 * BPF_PROG_TEST_RUN: emits `count` records of `size` bytes into its own ring
 * (never the product's rings), with the kind field set to `kind`, so tests
 * can also feed the reader malformed records through a real kernel ring.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "twinlane_records.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define LOADGEN_MAX 1024

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} loadgen_ring SEC(".maps");

struct loadgen_args {
	__u64 count;
	__u32 kind;
	__u32 size;             /* bytes per record, 4..LOADGEN_MAX */
	__u64 base;             /* loadgen_security: index of the first record */
};

/* A per-CPU scratch record: bpf_ringbuf_output copies from it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[LOADGEN_MAX]);
} scratch SEC(".maps");

/* The benchmark's shape: reserve + fill + submit, as the real hooks do. */
static long emit_record(__u64 i, __u64 *failed)
{
	struct tl_loadgen *r = bpf_ringbuf_reserve(&loadgen_ring, sizeof(*r), 0);
	if (!r) {
		*failed += 1;
		return 0;
	}
	r->kind = TL_KIND_LOADGEN;
	r->size = sizeof(*r);
	r->cpu = 0;
	r->seq = i;
	r->ktime_ns = 0;
	__builtin_memset(r->payload, 0, sizeof(r->payload));
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("syscall")
int loadgen(struct loadgen_args *args)
{
	__u64 failed = 0;
	__u64 count = args->count;
	bpf_loop(count, emit_record, &failed, 0);
	args->count = count - failed;
	return 0;
}

/* Any kind and size, well-formed or not: feeds the decoder's rejection tests. */
SEC("syscall")
int loadgen_raw(struct loadgen_args *args)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&scratch, &zero);
	__u32 size = args->size;
	if (!buf || size < 1 || size > LOADGEN_MAX)
		return -1;
	__u64 emitted = 0;
	for (__u32 i = 0; i < 64 && i < args->count; i++) {
		__builtin_memset(buf, 0, 24);
		*(__u16 *)buf = args->kind;
		*(__u16 *)(buf + 2) = size;
		*(__u64 *)(buf + 8) = i;
		if (bpf_ringbuf_output(&loadgen_ring, buf, size, BPF_RB_NO_WAKEUP) == 0)
			emitted++;
	}
	args->count = emitted;
	return 0;
}

/*
 * The product's security ring, when the loader hands over its fd
 * (bpf_map__reuse_fd); otherwise a small ring of this object's own.
 * loadgen_security writes well-formed connect records stamped with the
 * boot clock into it: the end-to-end benchmark's load through the real path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} security_ring SEC(".maps");

struct security_ctx {
	__u64 base;
	__u64 failed;
};

static long emit_security(__u64 i, struct security_ctx *c)
{
	struct tl_net *n = bpf_ringbuf_reserve(&security_ring, sizeof(*n), 0);
	if (!n) {
		c->failed += 1;
		return 0;
	}
	__builtin_memset(n, 0, sizeof(*n));
	n->h.kind = TL_KIND_CONNECT;
	n->h.size = sizeof(*n);
	n->h.source = TL_SRC_TEST_RUN;
	n->h.ktime_ns = bpf_ktime_get_boot_ns();
	n->h.start_ns = c->base + i;
	n->family = 2;
	n->protocol = 6;
	n->dport = 9;
	bpf_ringbuf_submit(n, 0);
	return 0;
}

SEC("syscall")
int loadgen_security(struct loadgen_args *args)
{
	struct security_ctx c = { .base = args->base };
	__u64 count = args->count;
	bpf_loop(count, emit_security, &c, 0);
	args->count = count - c.failed;
	return 0;
}
