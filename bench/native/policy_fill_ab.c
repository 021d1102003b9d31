/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_fill_ab: the kernel's share of the policy bench's 10 k apply, outside the JVM, as an A/B
 * run in one process: the six maps the 10 k mix fills (the sizes and key sizes of
 * policy_maps.bpf.h; 2000 inodes, 3000 IPv4 and 3000 IPv6 addresses in hash maps, 800 IPv4 and
 * 800 IPv6 networks in LPM tries, 400 port rules), the hash maps once with BPF_F_NO_PREALLOC
 * (A) and once preallocated (B), each filled with one bpf_map_update_batch per map by one thread,
 * then by two threads each writing half the entries at once. The four cases alternate round
 * by round, each after the maps were emptied, so a busy moment of the host falls on all of them.
 *
 * Per case, medians: wall and CPU time of the fill (two threads: CPU summed); for two threads
 * also how long their writing overlapped. For the first rounds, per thread: CPU time, the time
 * it was runnable but queued (/proc/thread-self/schedstat's run_delay), voluntary and involuntary
 * context switches and the CPU it started and ended on. Two fills the kernel serialised would
 * show as voluntary switches (a sleeping lock) or CPU time above one thread's (a spinning one);
 * two fills the host's other work keeps apart show as run_delay.
 *
 * Usage (root): gcc -O2 -o policy_fill_ab bench/native/policy_fill_ab.c -lbpf -lpthread
 *               ./policy_fill_ab [rounds=31] [pause_ms=0]
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct kind {
	const char *name;
	int type, key_size, n, max;
	char *keys, *values;
	int fd[2]; /* [0]: BPF_F_NO_PREALLOC, [1]: preallocated (LPM tries: no preallocated form) */
};

static struct kind kinds[] = {
	{ "inode", BPF_MAP_TYPE_HASH, 16, 2000, 32768 },
	{ "ipv4", BPF_MAP_TYPE_HASH, 4, 3000, 32768 },
	{ "ipv6", BPF_MAP_TYPE_HASH, 16, 3000, 32768 },
	{ "cidr4", BPF_MAP_TYPE_LPM_TRIE, 8, 800, 16384 },
	{ "cidr6", BPF_MAP_TYPE_LPM_TRIE, 20, 800, 16384 },
	{ "port", BPF_MAP_TYPE_HASH, 4, 400, 4096 },
};
#define KINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

struct part {
	int kind, from, to;
};

struct job {
	struct part parts[KINDS];
	int nparts, prealloc;
	double start, end, cpu, queued; /* ms */
	long voluntary, involuntary;
	int cpu_first, cpu_last;
};

static double clock_ms(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double run_delay_ms(void)
{
	unsigned long long run, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (f) {
		if (fscanf(f, "%llu %llu", &run, &delay) != 2)
			delay = 0;
		fclose(f);
	}
	return delay / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), by_value);
	return v[n / 2];
}

static void *fill(void *arg)
{
	struct job *j = arg;
	struct rusage u0, u1;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	getrusage(RUSAGE_THREAD, &u0);
	double queued = run_delay_ms(), cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	j->cpu_first = sched_getcpu();
	j->start = clock_ms(CLOCK_MONOTONIC);
	for (int i = 0; i < j->nparts; i++) {
		struct kind *k = &kinds[j->parts[i].kind];
		__u32 count = j->parts[i].to - j->parts[i].from;
		if (bpf_map_update_batch(k->fd[j->prealloc], k->keys + (size_t)j->parts[i].from * k->key_size,
					 k->values + j->parts[i].from, &count, &opts)) {
			perror(k->name);
			exit(1);
		}
	}
	j->end = clock_ms(CLOCK_MONOTONIC);
	j->cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - cpu;
	j->queued = run_delay_ms() - queued;
	j->cpu_last = sched_getcpu();
	getrusage(RUSAGE_THREAD, &u1);
	j->voluntary = u1.ru_nvcsw - u0.ru_nvcsw;
	j->involuntary = u1.ru_nivcsw - u0.ru_nivcsw;
	return NULL;
}

static void empty(int prealloc)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	for (int i = 0; i < KINDS; i++) {
		__u32 count = kinds[i].n;
		bpf_map_delete_batch(kinds[i].fd[prealloc], kinds[i].keys, &count, &opts);
	}
}

/* Distinct keys of the bench's address ranges: 240.x.y.0/24, 2001:db8:1:x::/64, hashed u32s. */
static void make_keys(struct kind *k, int index)
{
	k->keys = calloc(k->n, k->key_size);
	k->values = calloc(k->n, 1);
	for (int e = 0; e < k->n; e++) {
		unsigned char *p = (unsigned char *)k->keys + (size_t)e * k->key_size;
		k->values[e] = 1;
		if (k->type == BPF_MAP_TYPE_LPM_TRIE && k->key_size == 8) {
			*(__u32 *)p = 24;
			p[4] = 240, p[5] = e >> 8, p[6] = e;
		} else if (k->type == BPF_MAP_TYPE_LPM_TRIE) {
			*(__u32 *)p = 64;
			p[4] = 0x20, p[5] = 0x01, p[6] = 0x0d, p[7] = 0xb8, p[9] = 1, p[10] = e >> 8, p[11] = e;
		} else {
			unsigned v = e * 2654435761u + index;
			memcpy(p, &v, 4);
			if (k->key_size == 16) {
				memcpy(p + 4, &e, 4);
				p[12] = index;
			}
		}
	}
}

static void create_maps(void)
{
	for (int i = 0; i < KINDS; i++) {
		struct kind *k = &kinds[i];
		make_keys(k, i);
		for (int prealloc = 0; prealloc < 2; prealloc++) {
			int no_prealloc = k->type == BPF_MAP_TYPE_LPM_TRIE || !prealloc;
			LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = no_prealloc ? BPF_F_NO_PREALLOC : 0);
			k->fd[prealloc] = bpf_map_create(k->type, k->name, k->key_size, 1, k->max, &o);
			if (k->fd[prealloc] < 0) {
				perror(k->name);
				exit(1);
			}
		}
	}
}

/* one: every map; first/second: halves of equal entry count, in map order. */
static int split(struct job *one, struct job *first, struct job *second)
{
	int total = 0, taken = 0;
	for (int i = 0; i < KINDS; i++)
		total += kinds[i].n;
	for (int i = 0; i < KINDS; i++) {
		int n = kinds[i].n, mine = total / 2 - taken;
		mine = mine < 0 ? 0 : mine > n ? n : mine;
		one->parts[one->nparts++] = (struct part){ i, 0, n };
		if (mine > 0)
			first->parts[first->nparts++] = (struct part){ i, 0, mine };
		if (mine < n)
			second->parts[second->nparts++] = (struct part){ i, mine, n };
		taken += mine;
	}
	return total;
}

static void print_threads(int prealloc, int round, const struct job *a, const struct job *b)
{
	const struct job *j[2] = { a, b };
	printf("  %s round %d:", prealloc ? "prealloc  " : "noprealloc", round);
	for (int t = 0; t < 2; t++)
		printf(" | thread %d: cpu %.2f queued %.2f vcs %ld ivcs %ld cpu%d->%d [%.2f..%.2f]", t, j[t]->cpu,
		       j[t]->queued, j[t]->voluntary, j[t]->involuntary, j[t]->cpu_first, j[t]->cpu_last, j[t]->start,
		       j[t]->end);
	printf("\n");
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 31, pause_ms = argc > 2 ? atoi(argv[2]) : 0;
	struct job one = { 0 }, first = { 0 }, second = { 0 };
	create_maps();
	int total = split(&one, &first, &second);
	double *wall[2][2], *cpu[2][2], *overlap[2];
	for (int p = 0; p < 2; p++) {
		overlap[p] = calloc(rounds, sizeof(double));
		for (int t = 0; t < 2; t++) {
			wall[p][t] = calloc(rounds, sizeof(double));
			cpu[p][t] = calloc(rounds, sizeof(double));
		}
	}
	printf("policy_fill_ab: %d entries, %d rounds, per thread for the first 3 (ms, from the fill's start):\n", total,
	       rounds);
	for (int r = 0; r < rounds; r++) {
		for (int p = 0; p < 2; p++) {
			for (int threads = 1; threads <= 2; threads++) {
				empty(p);
				if (pause_ms)
					usleep(pause_ms * 1000);
				one.prealloc = first.prealloc = second.prealloc = p;
				double start = clock_ms(CLOCK_MONOTONIC);
				if (threads == 1) {
					fill(&one);
					wall[p][0][r] = one.end - start;
					cpu[p][0][r] = one.cpu;
					continue;
				}
				pthread_t worker;
				pthread_create(&worker, NULL, fill, &second);
				fill(&first);
				pthread_join(worker, NULL);
				wall[p][1][r] = clock_ms(CLOCK_MONOTONIC) - start;
				cpu[p][1][r] = first.cpu + second.cpu;
				double from = first.start > second.start ? first.start : second.start;
				double to = first.end < second.end ? first.end : second.end;
				overlap[p][r] = to > from ? to - from : 0;
				first.start -= start, first.end -= start, second.start -= start, second.end -= start;
				if (r < 3)
					print_threads(p, r, &first, &second);
			}
		}
	}
	for (int p = 0; p < 2; p++) {
		double w1 = median(wall[p][0], rounds), w2 = median(wall[p][1], rounds);
		printf("%s: one thread wall %.2f ms, CPU %.2f ms | two threads wall %.2f ms, CPU %.2f ms summed,"
		       " overlapping %.2f ms | two / one %.3f\n",
		       p ? "prealloc  " : "noprealloc", w1, median(cpu[p][0], rounds), w2, median(cpu[p][1], rounds),
		       median(overlap[p], rounds), w2 / w1);
	}
	empty(0);
	empty(1);
	return 0;
}
