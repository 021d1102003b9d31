/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overhead_floor: the floor of the per-event cost benchmark (issue 12,
 * bench/run-overhead.sh). The least a reader of twinlane's security programs
 * can cost the traced workload: the same BPF objects and programs the agent
 * attached, the same tl_config (every open recorded, wake-up watermark), the
 * same wake-up policy (drain, then sleep max_delay on an edge-triggered epoll),
 * and no work per record beyond counting it. No observability family, no
 * syscall sampling, no log.
 *
 *   overhead_floor [-d MAX_DELAY_NS] [-r RING_BYTES] OBJDIR OBJECT:PROG[,PROG...] ...
 *
 * OBJDIR holds the agent's objects (maps.bpf.o first: it creates the shared maps,
 * as the agent's loader does; every family reuses them by name). Each OBJECT:PROGS
 * names the programs of one family to load and attach, e.g.
 *   security_tp.bpf.o:tl_exec,tl_openat,tl_openat2
 *   security_cgroup.bpf.o:tl_connect4,tl_connect6,tl_bind4,tl_bind6
 * (the script takes them from the agent's bpf-audit.log). cgroup/ programs are
 * attached to the root of the cgroup v2 hierarchy, like the agent's.
 *
 * tl_config: mode enforce, record_all_opens 1, syscall_sample_rate 0, agent_tgid
 * this process, cgroup_filter 0, security_wakeup_bytes ring/4 (0 when MAX_DELAY_NS
 * is 0: the kernel wakes the reader per record), observability_wakeup_bytes ring/2.
 *
 * Prints "FLOOR ready" once attached, runs until SIGTERM or SIGINT, then drains
 * and prints
 *   FLOOR records=N dropped=D wakeups=W timeouts=T
 * dropped: the security ring's reservation failures (the shared drops map);
 * wakeups/timeouts: sleeps ended by the kernel / by the timer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../ebpf-programs/src/bpf/twinlane_records.h"

#define MAX_FAMILIES 8
/* The agent's router sleeps at most this long when woken per record (Router.PER_RECORD_SLEEP_NS). */
#define PER_RECORD_SLEEP_NS 10000000LL

static volatile sig_atomic_t stop;

static void fail(const char *what, const char *detail, int err);

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts), as the agent finds it. */
static int open_cgroup2_root(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char dev[256], dir[4096], type[64];
	int fd = -1;
	while (f && fd < 0 && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (strcmp(type, "cgroup2") == 0)
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f)
		fclose(f);
	if (fd < 0)
		fail("cannot open", "the cgroup v2 hierarchy (none mounted?)", errno ? errno : ENOENT);
	return fd;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void fail(const char *what, const char *detail, int err)
{
	fprintf(stderr, "overhead_floor: %s %s: %s\n", what, detail, strerror(err));
	exit(1);
}

static struct bpf_object *open_object(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj)
		fail("cannot open", path, errno);
	return obj;
}

/* Does comma-separated `list` name `prog`? */
static int listed(const char *list, const char *prog)
{
	size_t n = strlen(prog);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, prog, n) == 0)
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long long max_delay = 1000000;
	uint32_t ring_bytes = 8u << 20;
	int opt;
	while ((opt = getopt(argc, argv, "d:r:")) != -1) {
		if (opt == 'd')
			max_delay = strtoll(optarg, NULL, 0);
		else if (opt == 'r')
			ring_bytes = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (argc - optind < 2 || argc - optind - 1 > MAX_FAMILIES || max_delay < 0) {
		fprintf(stderr, "usage: %s [-d MAX_DELAY_NS] [-r RING_BYTES] OBJDIR OBJECT:PROG[,PROG...] ...\n", argv[0]);
		return 2;
	}
	const char *dir = argv[optind];
	libbpf_set_print(silent);

	/* The shared maps, created once, as the agent's loader does. */
	struct bpf_object *maps = open_object(dir, "maps.bpf.o");
	bpf_map__set_max_entries(bpf_object__find_map_by_name(maps, "security_ring"), ring_bytes);
	bpf_map__set_max_entries(bpf_object__find_map_by_name(maps, "observability_ring"), ring_bytes);
	int err = bpf_object__load(maps);
	if (err)
		fail("cannot load", "maps.bpf.o", -err);

	struct tl_config cfg = {
		.mode = TL_MODE_ENFORCE,
		.record_all_opens = 1,
		.syscall_sample_rate = 0,
		.agent_tgid = (uint32_t)getpid(),
		.cgroup_filter = 0,
		.security_wakeup_bytes = max_delay == 0 ? 0 : ring_bytes / 4,
		.observability_wakeup_bytes = ring_bytes / 2,
	};
	uint32_t zero = 0;
	if (bpf_map__update_elem(bpf_object__find_map_by_name(maps, "tl_config_map"), &zero, sizeof(zero), &cfg,
				 sizeof(cfg), BPF_ANY))
		fail("cannot write", "tl_config_map", errno);

	int cgroup_fd = -1;
	struct bpf_object *families[MAX_FAMILIES];
	int nfam = 0;
	for (int i = optind + 1; i < argc; i++) {
		char *spec = strdup(argv[i]);
		char *colon = strchr(spec, ':');
		if (!colon) {
			fprintf(stderr, "overhead_floor: '%s' is not OBJECT:PROG[,PROG...]\n", argv[i]);
			return 2;
		}
		*colon = 0;
		const char *progs = colon + 1;
		struct bpf_object *obj = open_object(dir, spec);
		struct bpf_map *m;
		bpf_object__for_each_map(m, obj) {
			struct bpf_map *shared = bpf_object__find_map_by_name(maps, bpf_map__name(m));
			if (shared && bpf_map__reuse_fd(m, bpf_map__fd(shared)))
				fail("cannot share map", bpf_map__name(m), errno);
		}
		struct bpf_program *p;
		int wanted = 0;
		bpf_object__for_each_program(p, obj) {
			int on = listed(progs, bpf_program__name(p));
			bpf_program__set_autoload(p, on);
			wanted += on;
		}
		if (!wanted) {
			fprintf(stderr, "overhead_floor: %s has none of the programs %s\n", spec, progs);
			return 2;
		}
		err = bpf_object__load(obj);
		if (err)
			fail("cannot load", spec, -err);
		bpf_object__for_each_program(p, obj) {
			if (!bpf_program__autoload(p))
				continue;
			struct bpf_link *link;
			if (strncmp(bpf_program__section_name(p), "cgroup/", 7) == 0) {
				if (cgroup_fd < 0)
					cgroup_fd = open_cgroup2_root();
				link = bpf_program__attach_cgroup(p, cgroup_fd);
			} else {
				link = bpf_program__attach(p);
			}
			if (!link)
				fail("cannot attach", bpf_program__name(p), errno);
		}
		families[nfam++] = obj;
	}

	uint64_t records = 0;
	int ring_fd = bpf_map__fd(bpf_object__find_map_by_name(maps, "security_ring"));
	struct ring_buffer *rb = ring_buffer__new(ring_fd, on_record, &records, NULL);
	if (!rb)
		fail("ring_buffer__new", "security_ring", errno);
	/* Our own epoll, edge-triggered like the agent's reader: libbpf's is level-triggered, which
	 * would end every timer sleep at once while records below the watermark wait. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ring_fd, &ev))
		fail("epoll on", "security_ring", errno);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("FLOOR ready pid=%d max_delay_ns=%lld ring_bytes=%u families=%d\n", (int)getpid(), max_delay, ring_bytes,
	       nfam);
	fflush(stdout);

	long long sleep_ns = max_delay == 0 ? PER_RECORD_SLEEP_NS : max_delay;
	struct timespec timeout = { .tv_sec = sleep_ns / 1000000000LL, .tv_nsec = sleep_ns % 1000000000LL };
	uint64_t wakeups = 0, timeouts = 0;
	while (!stop) {
		int n = ring_buffer__consume(rb);
		if (n < 0)
			fail("ring_buffer__consume", "security_ring", -n);
		struct epoll_event out;
		int r = epoll_pwait2(ep, &out, 1, &timeout, NULL);
		if (r > 0)
			wakeups++;
		else if (r == 0)
			timeouts++;
		else if (errno != EINTR)
			fail("epoll_pwait2", "security_ring", errno);
	}
	ring_buffer__consume(rb);

	/* Reservation failures of the security ring, summed over CPUs. */
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per_cpu = calloc(ncpu, sizeof(uint64_t));
	uint32_t key = TL_RING_SECURITY;
	uint64_t dropped = 0;
	if (per_cpu && bpf_map__lookup_elem(bpf_object__find_map_by_name(maps, "drops"), &key, sizeof(key), per_cpu,
					    ncpu * sizeof(uint64_t), 0) == 0)
		for (int c = 0; c < ncpu; c++)
			dropped += per_cpu[c];
	printf("FLOOR records=%" PRIu64 " dropped=%" PRIu64 " wakeups=%" PRIu64 " timeouts=%" PRIu64 "\n", records,
	       dropped, wakeups, timeouts);
	ring_buffer__free(rb);
	for (int i = 0; i < nfam; i++)
		bpf_object__close(families[i]);
	bpf_object__close(maps);
	return 0;
}
