// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * lsm_selftest: proves the BPF-LSM family (security_lsm.bpf.o) in a
 * kernel-lab guest, without the Java agent. Built by scripts/kernel-lab-selftest:
 *   gcc -O2 -Wall -I ebpf-programs/src/bpf lsm_selftest.c -lbpf
 *
 *   lsm_selftest OBJ            expects the BPF LSM active: enforcement checks
 *   lsm_selftest OBJ --lsm-off  expects "bpf" missing from the LSM list: reports
 *                               what load/attach do and that nothing is enforced
 *
 * Prints "PASS name" / "FAIL name: why" per check and ends with
 * "lsm-selftest: N passed, N failed"; exits 0 only when nothing failed.
 * Works in /tmp/tl-lab (a tmpfs in the guest).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "twinlane_records.h"

#define DIR_ "/tmp/tl-lab"
#define MAX_RECS 4096

static int passed, failed;
static int verbose;

static void check(int ok, const char *name, const char *fmt, ...)
{
	if (ok) {
		passed++;
		printf("PASS %s\n", name);
	} else {
		va_list ap;
		failed++;
		printf("FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- records ---------------------------------------------------------- */

static struct rec {
	size_t len;
	union {
		struct tl_header h;
		struct tl_exec exec;
		struct tl_file_open open;
		struct tl_net net;
		struct tl_ptrace ptrace;
		struct tl_kernel_read kread;
		struct tl_bpf bpf;
	} u;
} *recs;
static int nrecs, bad_recs;

static int on_record(void *ctx, void *data, size_t len)
{
	const struct tl_header *h = data;
	(void)ctx;
	if (len < sizeof(*h) || h->size != len || len > sizeof(recs[0].u)) {
		bad_recs++;
		return 0;
	}
	if (nrecs < MAX_RECS) {
		recs[nrecs].len = len;
		memcpy(&recs[nrecs].u, data, len);
		nrecs++;
	}
	return 0;
}

static const char *decision_name(int d)
{
	return d == TL_ALLOW ? "allow" : d == TL_DENY ? "deny" : d == TL_AUDIT_DENY ? "audit-deny" : "?";
}

static void print_record(const struct rec *r)
{
	const struct tl_header *h = &r->u.h;
	printf("  record kind=%u src=%u tgid=%u start_ns=%llu ptgid=%u comm=%.16s", h->kind, h->source,
	       h->tgid, (unsigned long long)h->start_ns, h->ptgid, h->comm);
	switch (h->kind) {
	case TL_KIND_FILE_OPEN:
		printf(" path=%s path_len=%u ino=%llu dev=%llx flags=%#x decision=%s ret=%d", r->u.open.path,
		       r->u.open.path_len, (unsigned long long)r->u.open.ino,
		       (unsigned long long)r->u.open.dev, r->u.open.flags, decision_name(r->u.open.decision),
		       r->u.open.ret);
		break;
	case TL_KIND_EXEC:
		printf(" filename=%s ino=%llu decision=%s ret=%d", r->u.exec.filename,
		       (unsigned long long)r->u.exec.ino, decision_name(r->u.exec.decision), r->u.exec.ret);
		break;
	case TL_KIND_CONNECT:
	case TL_KIND_BIND: {
		char s[64], d[64];
		inet_ntop(r->u.net.family, r->u.net.saddr, s, sizeof(s));
		inet_ntop(r->u.net.family, r->u.net.daddr, d, sizeof(d));
		printf(" %s proto=%u %s:%u -> %s:%u decision=%s ret=%d",
		       r->u.net.family == AF_INET ? "inet" : "inet6", r->u.net.protocol, s, r->u.net.sport, d,
		       r->u.net.dport, decision_name(r->u.net.decision), r->u.net.ret);
		break;
	}
	case TL_KIND_PTRACE:
		printf(" mode=%#x target=%u", r->u.ptrace.mode, r->u.ptrace.target_tgid);
		break;
	case TL_KIND_KERNEL_READ:
		printf(" id=%u path=%s", r->u.kread.id, r->u.kread.path);
		break;
	case TL_KIND_BPF:
		printf(" cmd=%d size=%u", r->u.bpf.cmd, r->u.bpf.attr_size);
		break;
	}
	printf("\n");
}

/* ---- helpers -------------------------------------------------------------- */

static struct bpf_object *obj;
static struct ring_buffer *rb;
static int fd_config, fd_deny_inode, fd_deny_ipv4, fd_deny_port, fd_watch_inode, fd_watch_prefix;

static void drain(void)
{
	if (rb)
		ring_buffer__consume(rb);
}

static int set_config(__u32 mode, __u32 record_all)
{
	struct tl_config c = { .mode = mode, .record_all_opens = record_all };
	__u32 zero = 0;
	return bpf_map_update_elem(fd_config, &zero, &c, BPF_ANY);
}

static struct tl_inode_key inode_key(const char *path)
{
	struct stat st;
	struct tl_inode_key k = { 0, 0 };
	if (stat(path, &st) == 0) {
		k.ino = st.st_ino;
		k.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
	}
	return k;
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	int ok = write(fd, data, len) == (ssize_t)len;
	close(fd);
	chmod(path, mode);
	return ok ? 0 : -1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			rc = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	chmod(to, mode);
	return rc;
}

/* open(2) result: 0 or -errno. */
static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* exec in a child: 0 when it ran and exited 0, -errno when execve failed. */
static int try_exec(const char *path)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return -EIO;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };
		char *envp[] = { NULL };
		execve(path, argv, envp);
		int e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	int e = 0, st = 0;
	ssize_t n = read(p[0], &e, sizeof(e));
	close(p[0]);
	waitpid(pid, &st, 0);
	if (n == sizeof(e))
		return -e;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

static int listener(const char *addr, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&sa, &len))
		return -1;
	*port = ntohs(sa.sin_port);
	return s;
}

/* connect(2) result: 0 or -errno. */
static int try_connect(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		rc = -errno;
	close(s);
	return rc;
}

/* IPv6 connect(2) result: 0 or -errno. */
static int try_connect6(const char *addr, int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;
	inet_pton(AF_INET6, addr, &sa.sin6_addr);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		rc = -errno;
	close(s);
	return rc;
}

static const struct rec *find_open(const char *path, int decision)
{
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (r->u.h.kind == TL_KIND_FILE_OPEN && !strcmp(r->u.open.path, path) &&
		    (decision < 0 || r->u.open.decision == decision))
			return r;
	}
	return NULL;
}

static const struct rec *find_exec(__u64 ino, int decision)
{
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (r->u.h.kind == TL_KIND_EXEC && r->u.exec.ino == ino && r->u.exec.decision == decision)
			return r;
	}
	return NULL;
}

static const struct rec *find_net(int kind, int port, int decision)
{
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (r->u.h.kind != kind)
			continue;
		int p = kind == TL_KIND_BIND ? r->u.net.sport : r->u.net.dport;
		if (p == port && (decision < 0 || r->u.net.decision == decision))
			return r;
	}
	return NULL;
}

static const struct rec *find_kind(int kind)
{
	for (int i = 0; i < nrecs; i++)
		if (recs[i].u.h.kind == kind)
			return &recs[i];
	return NULL;
}

static int lsm_active(char *list, size_t size)
{
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	list[0] = 0;
	if (!f)
		return -1;
	if (!fgets(list, size, f))
		list[0] = 0;
	fclose(f);
	char copy[512];
	snprintf(copy, sizeof(copy), ",%s,", list);
	return strstr(copy, ",bpf,") != NULL;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *path = NULL;
	int lsm_off = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lsm-off"))
			lsm_off = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: lsm_selftest OBJ [--lsm-off] [-v]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	recs = calloc(MAX_RECS, sizeof(*recs));
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_MEMLOCK, &rl);

	char lsms[256];
	int bpf_lsm = lsm_active(lsms, sizeof(lsms));
	lsms[strcspn(lsms, "\n")] = 0;
	printf("lsm-selftest: active LSMs: %s\n", lsms);
	if (lsm_off)
		check(bpf_lsm == 0, "lsm-off: bpf absent from /sys/kernel/security/lsm", "list is '%s'", lsms);
	else
		check(bpf_lsm == 1, "bpf present in /sys/kernel/security/lsm", "list is '%s'", lsms);

	/* open, load, attach */
	double t0 = now_s();
	obj = bpf_object__open_file(path, NULL);
	int err = libbpf_get_error(obj);
	if (err) {
		obj = NULL;
		check(0, "open object", "%s: %s", path, strerror(-err));
		goto out;
	}
	err = bpf_object__load(obj);
	printf("lsm-selftest: load: %s (%.2f s)\n", err ? strerror(-err) : "ok", now_s() - t0);
	if (lsm_off && err) {
		printf("lsm-selftest: lsm-off observation: the kernel refuses to load the LSM programs (%s)\n",
		       strerror(-err));
		goto out;
	}
	check(!err, "load every LSM program", "bpf_object__load: %s", strerror(-err));
	if (err)
		goto out;
	struct bpf_program *prog;
	int attached = 0, total = 0;
	bpf_object__for_each_program(prog, obj) {
		total++;
		struct bpf_link *l = bpf_program__attach(prog);
		err = libbpf_get_error(l);
		printf("lsm-selftest: attach %-26s %s: %s\n", bpf_program__section_name(prog),
		       bpf_program__name(prog), err ? strerror(-err) : "ok");
		if (!err)
			attached++;
	}
	if (lsm_off && attached < total) {
		printf("lsm-selftest: lsm-off observation: load succeeds, attach refused for %d of %d programs\n",
		       total - attached, total);
		goto out;
	}
	check(attached == total, "attach every LSM program", "%d of %d attached", attached, total);

	fd_config = bpf_object__find_map_fd_by_name(obj, "tl_config_map");
	fd_deny_inode = bpf_object__find_map_fd_by_name(obj, "deny_inode");
	fd_deny_ipv4 = bpf_object__find_map_fd_by_name(obj, "deny_ipv4");
	fd_deny_port = bpf_object__find_map_fd_by_name(obj, "deny_port");
	fd_watch_inode = bpf_object__find_map_fd_by_name(obj, "watch_inode");
	fd_watch_prefix = bpf_object__find_map_fd_by_name(obj, "watch_prefix");
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "security_ring"), on_record, NULL, NULL);
	check(rb != NULL, "ring_buffer__new(security_ring)", "%s", strerror(errno));

	/* fixtures */
	mkdir(DIR_, 0755);
	mkdir(DIR_ "/watched", 0755);
	write_file(DIR_ "/denied.txt", "secret\n", 7, 0644);
	write_file(DIR_ "/allowed.txt", "hello\n", 6, 0644);
	write_file(DIR_ "/watched/inside.txt", "w\n", 2, 0644);
	write_file(DIR_ "/watched-inode.txt", "w\n", 2, 0644);
	write_file(DIR_ "/bogus.ko", "not a module", 12, 0644);
	copy_file("/bin/true", DIR_ "/denied-true", 0755);
	copy_file("/bin/true", DIR_ "/allowed-true", 0755);
	struct tl_inode_key k_file = inode_key(DIR_ "/denied.txt");
	struct tl_inode_key k_exe = inode_key(DIR_ "/denied-true");
	struct tl_inode_key k_watch = inode_key(DIR_ "/watched-inode.txt");
	__u8 one = 1;
	int lport, dport;
	int ls1 = listener("127.0.0.1", &lport);
	int ls2 = listener("127.0.0.1", &dport);
	__u16 dport16 = dport;
	struct in_addr denied_ip;
	inet_pton(AF_INET, "127.0.0.3", &denied_ip);
	struct in6_addr denied_ip6;
	inet_pton(AF_INET6, "::1", &denied_ip6);
	struct tl_prefix_key pk = { 0 };
	strcpy(pk.path, DIR_ "/watched/");
	pk.prefixlen = strlen(pk.path) * 8;
	err = bpf_map_update_elem(fd_deny_inode, &k_file, &one, BPF_ANY) ||
	      bpf_map_update_elem(fd_deny_inode, &k_exe, &one, BPF_ANY) ||
	      bpf_map_update_elem(fd_deny_port, &dport16, &one, BPF_ANY) ||
	      bpf_map_update_elem(fd_deny_ipv4, &denied_ip.s_addr, &one, BPF_ANY) ||
	      bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "deny_ipv6"), &denied_ip6, &one, BPF_ANY) ||
	      bpf_map_update_elem(fd_watch_inode, &k_watch, &one, BPF_ANY) ||
	      bpf_map_update_elem(fd_watch_prefix, &pk, &one, BPF_ANY) ||
	      set_config(TL_MODE_ENFORCE, 0);
	check(!err && ls1 >= 0 && ls2 >= 0, "fixtures: deny/watch maps filled, enforce mode, listeners",
	      "map update or listener failed: %s", strerror(errno));
	printf("lsm-selftest: denied inode %llu dev %#llx, denied exe inode %llu, ports allowed %d denied %d\n",
	       (unsigned long long)k_file.ino, (unsigned long long)k_file.dev, (unsigned long long)k_exe.ino,
	       lport, dport);

	/* enforce mode */
	int r_open = try_open(DIR_ "/denied.txt");
	int r_allowed = try_open(DIR_ "/allowed.txt");
	int r_exec = try_exec(DIR_ "/denied-true");
	int r_exec_ok = try_exec(DIR_ "/allowed-true");
	int r_conn = try_connect("127.0.0.1", dport);
	int r_conn_ip = try_connect("127.0.0.3", lport);
	int r_conn_ok = try_connect("127.0.0.1", lport);
	int r_conn6 = try_connect6("::1", lport);
	int r_conn_mapped = try_connect6("::ffff:127.0.0.3", lport);
	try_open(DIR_ "/watched/inside.txt");
	try_open(DIR_ "/watched-inode.txt");

	/* ptrace attach to a child, and a module load from a bogus file */
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	int r_ptrace = ptrace(PTRACE_ATTACH, child, 0, 0) ? -errno : 0;
	if (!r_ptrace) {
		waitpid(child, NULL, 0);
		ptrace(PTRACE_DETACH, child, 0, 0);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	int kfd = open(DIR_ "/bogus.ko", O_RDONLY);
	int r_mod = syscall(SYS_finit_module, kfd, "", 0) ? -errno : 0;
	close(kfd);
	drain();

	if (lsm_off) {
		/* Without the BPF LSM the hooks never run: nothing may be refused. */
		check(r_open == 0, "lsm-off: open of a denied inode is NOT refused (no enforcement)",
		      "open returned %s", strerror(-r_open));
		check(r_exec == 0, "lsm-off: exec of a denied binary is NOT refused", "exec returned %s",
		      strerror(-r_exec));
		check(r_conn == 0, "lsm-off: connect to a denied port is NOT refused", "connect returned %s",
		      strerror(-r_conn));
		int lsm_recs = 0;
		for (int i = 0; i < nrecs; i++)
			lsm_recs += recs[i].u.h.source == TL_SRC_LSM;
		check(lsm_recs == 0, "lsm-off: no record from any LSM hook", "%d LSM records", lsm_recs);
		printf("lsm-selftest: lsm-off observation: all %d programs load and attach, yet the hooks never "
		       "run (open %s, exec %s, connect %s, %d LSM records): an agent must read "
		       "/sys/kernel/security/lsm and report audit-only\n", total,
		       r_open ? strerror(-r_open) : "allowed", r_exec ? strerror(-r_exec) : "allowed",
		       r_conn ? strerror(-r_conn) : "allowed", lsm_recs);
		goto out;
	}

	check(r_open == -EPERM, "enforce: open of a denied inode fails with EPERM", "open returned %s",
	      r_open ? strerror(-r_open) : "success");
	check(r_allowed == 0, "enforce: open of another file succeeds", "open returned %s", strerror(-r_allowed));
	check(r_exec == -EPERM, "enforce: exec of a denied copy of /bin/true fails with EPERM",
	      "exec returned %s", r_exec ? strerror(-r_exec) : "success");
	check(r_exec_ok == 0, "enforce: exec of an allowed copy of /bin/true succeeds", "exec returned %s",
	      strerror(-r_exec_ok));
	check(r_conn == -EPERM, "enforce: connect to a denied port on 127.0.0.1 fails with EPERM",
	      "connect returned %s", r_conn ? strerror(-r_conn) : "success");
	check(r_conn_ip == -EPERM, "enforce: connect to denied address 127.0.0.3 fails with EPERM",
	      "connect returned %s", r_conn_ip ? strerror(-r_conn_ip) : "success");
	check(r_conn6 == -EPERM, "enforce: IPv6 connect to denied address ::1 fails with EPERM",
	      "connect returned %s", r_conn6 ? strerror(-r_conn6) : "success");
	check(r_conn_mapped == -EPERM, "enforce: IPv6 connect to ::ffff:127.0.0.3 obeys the IPv4 deny rule",
	      "connect returned %s", r_conn_mapped ? strerror(-r_conn_mapped) : "success");
	check(r_conn_ok == 0, "enforce: connect to an allowed port succeeds", "connect returned %s",
	      strerror(-r_conn_ok));
	check(r_ptrace == 0, "ptrace attach to own child allowed", "ptrace returned %s", strerror(-r_ptrace));
	printf("lsm-selftest: finit_module(bogus.ko) returned %s (expected to fail; only its record matters)\n",
	       r_mod ? strerror(-r_mod) : "success");

	/* records of the enforce phase */
	const struct rec *r = find_open(DIR_ "/denied.txt", TL_DENY);
	if (r)
		print_record(r);
	check(r && r->u.open.ret == -EPERM && r->u.open.ino == k_file.ino && r->u.open.dev == k_file.dev &&
		      r->u.h.source == TL_SRC_LSM && r->u.h.tgid == (__u32)getpid() && r->u.h.start_ns != 0 &&
		      r->u.h.ptgid == (__u32)getppid() && r->u.open.path_len == strlen(DIR_ "/denied.txt"),
	      "record: file_open denial with path, exec_id, ino/dev, decision=deny, ret=-EPERM",
	      r ? "fields differ" : "no record");
	check(find_open(DIR_ "/allowed.txt", -1) == NULL, "record: unwatched allowed open not recorded",
	      "found one");
	r = find_open(DIR_ "/watched/inside.txt", TL_ALLOW);
	check(r != NULL, "record: open under watched prefix recorded (decision=allow)", "no record");
	r = find_open(DIR_ "/watched-inode.txt", TL_ALLOW);
	check(r != NULL, "record: open of watched inode recorded (decision=allow)", "no record");
	r = find_exec(k_exe.ino, TL_DENY);
	if (r)
		print_record(r);
	check(r && r->u.exec.ret == -EPERM && !strcmp(r->u.exec.filename, DIR_ "/denied-true"),
	      "record: exec denial (kind=exec, decision=deny, filename)", r ? "fields differ" : "no record");
	r = find_net(TL_KIND_CONNECT, dport, TL_DENY);
	if (r)
		print_record(r);
	check(r && r->u.net.ret == -EPERM && r->u.net.family == AF_INET && r->u.net.protocol == IPPROTO_TCP,
	      "record: connect denial (decision=deny, port, family, protocol)", r ? "fields differ" : "no record");
	check(find_net(TL_KIND_CONNECT, lport, TL_ALLOW) != NULL, "record: allowed connect recorded",
	      "no record");
	r = find_kind(TL_KIND_PTRACE);
	if (r)
		print_record(r);
	check(r && r->u.ptrace.target_tgid == (__u32)child, "record: ptrace attach with target", "no record");
	r = find_kind(TL_KIND_KERNEL_READ);
	if (r)
		print_record(r);
	check(r && r->u.kread.id == 2 /* READING_MODULE */ && !strcmp(r->u.kread.path, "bogus.ko"),
	      "record: kernel_read_file of a module", r ? "fields differ" : "no record");
	r = find_kind(TL_KIND_BPF);
	check(r && r->u.h.tgid == (__u32)getpid(), "record: bpf() use by this process", "no record");
	check(bad_recs == 0, "records: every size matches its header", "%d bad", bad_recs);

	/* bind: listeners were bound before attach; bind one now */
	{
		int bport, s = listener("127.0.0.1", &bport);
		drain();
		check(s >= 0 && find_net(TL_KIND_BIND, 0, TL_ALLOW) != NULL, "record: bind recorded",
		      "no record");
		if (s >= 0)
			close(s);
	}

	/* audit mode: same actions succeed, records say they would have been denied */
	set_config(TL_MODE_AUDIT, 0);
	nrecs = 0;
	r_open = try_open(DIR_ "/denied.txt");
	r_exec = try_exec(DIR_ "/denied-true");
	r_conn = try_connect("127.0.0.1", dport);
	drain();
	check(r_open == 0, "audit: open of the denied inode succeeds", "open returned %s", strerror(-r_open));
	check(r_exec == 0, "audit: exec of the denied binary succeeds", "exec returned %s", strerror(-r_exec));
	check(r_conn == 0, "audit: connect to the denied port succeeds", "connect returned %s", strerror(-r_conn));
	r = find_open(DIR_ "/denied.txt", TL_AUDIT_DENY);
	if (r)
		print_record(r);
	check(r && r->u.open.ret == 0, "audit record: file_open decision=audit-deny ret=0", "no record");
	r = find_exec(k_exe.ino, TL_AUDIT_DENY);
	check(r && r->u.exec.ret == 0, "audit record: exec decision=audit-deny ret=0", "no record");
	r = find_net(TL_KIND_CONNECT, dport, TL_AUDIT_DENY);
	check(r && r->u.net.ret == 0, "audit record: connect decision=audit-deny ret=0", "no record");

	/* record_all_opens */
	set_config(TL_MODE_AUDIT, 1);
	nrecs = 0;
	try_open(DIR_ "/allowed.txt");
	drain();
	check(find_open(DIR_ "/allowed.txt", TL_ALLOW) != NULL, "record_all_opens: every open recorded",
	      "no record");
	set_config(TL_MODE_AUDIT, 0);

out:
	if (rb)
		ring_buffer__free(rb);
	if (obj)
		bpf_object__close(obj);
	printf("lsm-selftest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
