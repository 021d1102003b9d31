/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ring_drain: the C baseline of the ring-buffer drain benchmark (issue 2).
 *
 * Loads loadgen.bpf.o (the same object the Java side uses), sizes its ring,
 * then loops { BPF_PROG_TEST_RUN loadgen with `batch` records; consume them
 * all with libbpf's ring_buffer__consume } until `total` records have gone
 * through. The callback reads kind and seq of each record and sums them, as
 * the Java handler does, so no side can skip the record.
 *
 * Timing: consume-only = the sum of the ring_buffer__consume calls;
 * produce+consume = wall time of the whole loop (test runs included).
 * batch_*_rps: the same two rates from the median batch (robust against
 * preemption on a shared machine). Warm-up batches run first, not counted.
 *
 * Output: one machine-readable line
 *   RESULT impl=c records=N batches=K consume_ns=.. total_ns=.. consume_rps=.. total_rps=..
 *          batch_consume_rps=.. batch_total_rps=.. checksum=..
 *
 * Usage: ring_drain OBJECT [ring_bytes] [batch] [total] [warmup_records]
 *
 * ring_buffer__poll is not used for the figure: loadgen submits with
 * BPF_RB_NO_WAKEUP, so epoll would not be woken; consume is libbpf's
 * "drain what is there" call, the same job as RingBufferReader.drain.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../ebpf-programs/src/bpf/twinlane_records.h"

struct loadgen_args {
	__u64 count;
	__u32 kind;
	__u32 size;
};

struct sink {
	uint64_t records;
	uint64_t sum;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct sink *s = ctx;
	const struct tl_loadgen *r = data;
	(void)size;
	s->sum += r->kind + r->seq;
	s->records++;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static long long emit(int prog_fd, uint64_t count)
{
	struct loadgen_args args = { .count = count };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
		fprintf(stderr, "ring_drain: BPF_PROG_TEST_RUN of loadgen failed: %s\n", strerror(errno));
		exit(1);
	}
	return (long long)args.count;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, uint64_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Produces and consumes `batch` records; returns the consume time, sets *total to both. */
static uint64_t one_batch(int prog_fd, struct ring_buffer *rb, struct sink *s, uint64_t batch,
			  uint64_t *total)
{
	uint64_t before = s->records;
	uint64_t start = now_ns();
	long long emitted = emit(prog_fd, batch);
	if (emitted != (long long)batch) {
		fprintf(stderr, "ring_drain: loadgen emitted %lld of %" PRIu64 " records: ring too small?\n",
			emitted, batch);
		exit(1);
	}
	uint64_t t0 = now_ns();
	int n = ring_buffer__consume(rb);
	uint64_t t1 = now_ns();
	*total = t1 - start;
	if (n < 0) {
		fprintf(stderr, "ring_drain: ring_buffer__consume: %s\n", strerror(-n));
		exit(1);
	}
	if (s->records - before != batch) {
		fprintf(stderr, "ring_drain: consumed %" PRIu64 " of %" PRIu64 " records\n",
			s->records - before, batch);
		exit(1);
	}
	return t1 - t0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [ring_bytes] [batch] [total] [warmup_records]\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];
	uint32_t ring_bytes = argc > 2 ? strtoul(argv[2], NULL, 0) : 16u << 20;
	uint64_t batch = argc > 3 ? strtoull(argv[3], NULL, 0) : 100000;
	uint64_t total = argc > 4 ? strtoull(argv[4], NULL, 0) : 50000000;
	uint64_t warmup = argc > 5 ? strtoull(argv[5], NULL, 0) : 2000000;
	if (batch == 0 || total < batch || batch * (sizeof(struct tl_loadgen) + 8) > ring_bytes) {
		fprintf(stderr, "ring_drain: need 0 < batch <= total and batch * 72 bytes <= ring_bytes\n");
		return 2;
	}

	libbpf_set_print(silent);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "ring_drain: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct bpf_map *ring = bpf_object__find_map_by_name(obj, "loadgen_ring");
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "loadgen");
	if (!ring || !prog) {
		fprintf(stderr, "ring_drain: %s has no loadgen_ring map or loadgen program\n", path);
		return 1;
	}
	bpf_map__set_max_entries(ring, ring_bytes);
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "ring_drain: cannot load %s: %s\n", path, strerror(-err));
		return 1;
	}
	int prog_fd = bpf_program__fd(prog);

	struct sink s = { 0 };
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(ring), on_record, &s, NULL);
	if (!rb) {
		fprintf(stderr, "ring_drain: ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}

	uint64_t ignored;
	for (uint64_t done = 0; done < warmup; done += batch)
		one_batch(prog_fd, rb, &s, batch, &ignored);

	uint64_t nbatches = (total + batch - 1) / batch;
	uint64_t *cons_b = calloc(nbatches, sizeof(uint64_t));
	uint64_t *tot_b = calloc(nbatches, sizeof(uint64_t));
	if (!cons_b || !tot_b)
		return 1;
	s.records = 0;
	s.sum = 0;
	uint64_t consume_ns = 0, batches = 0;
	uint64_t start = now_ns();
	for (uint64_t done = 0; done < total; done += batch, batches++) {
		cons_b[batches] = one_batch(prog_fd, rb, &s, batch, &tot_b[batches]);
		consume_ns += cons_b[batches];
	}
	uint64_t total_ns = now_ns() - start;

	printf("RESULT impl=c records=%" PRIu64 " batches=%" PRIu64 " consume_ns=%" PRIu64
	       " total_ns=%" PRIu64 " consume_rps=%.0f total_rps=%.0f"
	       " batch_consume_rps=%.0f batch_total_rps=%.0f checksum=%" PRIu64 "\n",
	       s.records, batches, consume_ns, total_ns, s.records * 1e9 / consume_ns,
	       s.records * 1e9 / total_ns, batch * 1e9 / median(cons_b, batches),
	       batch * 1e9 / median(tot_b, batches), s.sum);
	free(cons_b);
	free(tot_b);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
