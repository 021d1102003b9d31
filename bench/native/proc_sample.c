/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc_sample: one reading of a process's cost, for bench/run-overhead.sh, which
 * takes one before and one after a workload and divides the differences.
 *
 *   proc_sample PID
 *   SAMPLE mono_ns=M cpu_ns=C ctxsw=X rss_kb=R threads=T
 *
 * cpu_ns: the sum over the process's threads of /proc/PID/task/TID/schedstat's
 * first field (time on CPU, in ns, exact, unlike the clock ticks of /proc/PID/stat).
 * ctxsw: the sum over its threads of voluntary_ctxt_switches + nonvoluntary_ctxt_switches.
 * rss_kb: VmRSS of /proc/PID/status. mono_ns: CLOCK_MONOTONIC when the reading started,
 * the clock of the security log's append times.
 * A thread that exits between two readings takes its counts with it; the agent's
 * threads live as long as the agent.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The value after `key` in a "Key:   value" file such as /proc/PID/status, or -1. */
static long long status_field(const char *file, const char *key)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return -1;
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PID\n", argv[0]);
		return 2;
	}
	const char *pid = argv[1];
	uint64_t t = mono_ns();
	char path[512];
	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "proc_sample: no process %s\n", pid);
		return 1;
	}
	unsigned long long cpu = 0, ctx = 0;
	int threads = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/schedstat", pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue; /* the thread exited while we looked */
		unsigned long long run = 0;
		if (fscanf(f, "%llu", &run) == 1)
			cpu += run;
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%s/task/%s/status", pid, e->d_name);
		long long v = status_field(path, "voluntary_ctxt_switches");
		long long nv = status_field(path, "nonvoluntary_ctxt_switches");
		if (v >= 0 && nv >= 0)
			ctx += v + nv;
		threads++;
	}
	closedir(d);
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	long long rss = status_field(path, "VmRSS");
	printf("SAMPLE mono_ns=%" PRIu64 " cpu_ns=%llu ctxsw=%llu rss_kb=%lld threads=%d\n", t, cpu, ctx, rss, threads);
	return 0;
}
