/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overhead_workload: the traced side of the per-event cost benchmark (issue 12,
 * bench/run-overhead.sh). Runs one system-call loop for a fixed time and says
 * how many operations it did and what one cost, so the script can compare the
 * cost under each configuration and check that every operation was recorded.
 *
 *   overhead_workload open    SECONDS PATH   open(PATH, O_RDONLY) + close
 *   overhead_workload stat    SECONDS PATH   stat(PATH)
 *   overhead_workload exec    SECONDS PROG   fork, child execs PROG (no arguments), parent waits
 *   overhead_workload connect SECONDS        TCP connect to a listener on 127.0.0.1 + close
 *
 * connect: a child process listens on 127.0.0.1 (port chosen by the kernel) and
 * accepts and closes; the loop's socket closes with SO_LINGER 0 (a reset, no
 * TIME_WAIT), so a long run cannot run out of ephemeral ports. Only loopback.
 *
 * Output, one line:
 *   RESULT workload=W ops=N ns_per_op=X slice_ns_per_op=Y elapsed_ns=E tgid=T start_mono=S end_mono=F [port=P]
 * ns_per_op is the whole run's elapsed time over its operations. slice_ns_per_op is
 * the median over the run's 10 ms slices of the same quotient: on a shared machine
 * another process that takes the CPU for a while inflates a few slices, and the
 * median slice is not moved by it (nor by anything else that comes in rare bursts).
 * ops counts every operation that went into the kernel (each open, stat, exec or
 * connect call, failed or not; a failed one is an error exit, see below), so the
 * number of records the loop caused can be checked against it. start_mono and
 * end_mono are CLOCK_MONOTONIC around the loop.
 *
 * Exits 1 on any failed operation: a benchmark that silently measures errors is
 * worse than none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "overhead_workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Operations between two looks at the clock: cheap loops look every 64, slow ones every time. */
static uint64_t check_every(const char *mode)
{
	return strcmp(mode, "open") == 0 || strcmp(mode, "stat") == 0 ? 64 : 1;
}

static void op_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open");
	close(fd);
}

static void op_stat(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die("stat");
}

static void op_exec(const char *prog)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *argv[] = { (char *)prog, NULL };
		char *envp[] = { NULL };
		execve(prog, argv, envp);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "overhead_workload: %s exited with status %d\n", prog, status);
		exit(1);
	}
}

#define SLICE_NS 10000000ull
#define MAX_SLICES 100000

static double slices[MAX_SLICES];

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct sockaddr_in listen_addr;
static pid_t listener = -1;

/* A child that accepts and closes until killed; the parent's loop connects to it. */
static void start_listener(void)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket");
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&listen_addr, 0, sizeof(listen_addr));
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_addr.sin_port = 0;
	if (bind(ls, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) != 0)
		die("bind 127.0.0.1");
	socklen_t len = sizeof(listen_addr);
	if (getsockname(ls, (struct sockaddr *)&listen_addr, &len) != 0)
		die("getsockname");
	if (listen(ls, 4096) != 0)
		die("listen");
	listener = fork();
	if (listener < 0)
		die("fork");
	if (listener == 0) {
		for (;;) {
			int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				close(c);
		}
	}
	close(ls);
}

static void op_connect(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) != 0)
		die("connect 127.0.0.1");
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s open|stat|exec SECONDS PATH | connect SECONDS\n", argv[0]);
		return 2;
	}
	const char *mode = argv[1];
	double seconds = strtod(argv[2], NULL);
	const char *arg = argc > 3 ? argv[3] : NULL;
	int kind;
	if (strcmp(mode, "open") == 0)
		kind = 0;
	else if (strcmp(mode, "stat") == 0)
		kind = 1;
	else if (strcmp(mode, "exec") == 0)
		kind = 2;
	else if (strcmp(mode, "connect") == 0)
		kind = 3;
	else
		kind = -1;
	if (kind < 0 || seconds <= 0 || (kind != 3 && !arg)) {
		fprintf(stderr, "usage: %s open|stat|exec SECONDS PATH | connect SECONDS\n", argv[0]);
		return 2;
	}
	if (kind == 3)
		start_listener();

	uint64_t every = check_every(mode);
	uint64_t budget = (uint64_t)(seconds * 1e9);
	uint64_t ops = 0;
	uint64_t start = mono_ns(), now = start;
	uint64_t slice_start = start, slice_ops = 0;
	int nslices = 0;
	while (now - start < budget) {
		for (uint64_t i = 0; i < every; i++) {
			switch (kind) {
			case 0: op_open(arg); break;
			case 1: op_stat(arg); break;
			case 2: op_exec(arg); break;
			default: op_connect(); break;
			}
		}
		ops += every;
		now = mono_ns();
		if (now - slice_start >= SLICE_NS && nslices < MAX_SLICES) {
			slices[nslices++] = (double)(now - slice_start) / (ops - slice_ops);
			slice_start = now;
			slice_ops = ops;
		}
	}
	uint64_t elapsed = now - start;
	double slice_median = (double)elapsed / ops;
	if (nslices > 0) {
		qsort(slices, nslices, sizeof(slices[0]), by_value);
		slice_median = nslices % 2 ? slices[nslices / 2] : (slices[nslices / 2 - 1] + slices[nslices / 2]) / 2;
	}

	if (listener > 0) {
		kill(listener, SIGKILL);
		waitpid(listener, NULL, 0);
	}
	printf("RESULT workload=%s ops=%" PRIu64 " ns_per_op=%.1f slice_ns_per_op=%.1f elapsed_ns=%" PRIu64
	       " tgid=%d start_mono=%" PRIu64 " end_mono=%" PRIu64, mode, ops, (double)elapsed / ops, slice_median,
	       elapsed, (int)getpid(), start, now);
	if (kind == 3)
		printf(" port=%d", ntohs(listen_addr.sin_port));
	printf("\n");
	return 0;
}
