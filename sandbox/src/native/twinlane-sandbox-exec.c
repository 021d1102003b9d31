/*
 * twinlane-sandbox-exec PROFILE.tlsb CMD [ARG...]
 * twinlane-sandbox-exec --confine-writes DIR... -- CMD [ARG...]   (the agent's launcher: see confine_writes)
 *
 * Applies a profile that Java compiled ahead of time (dev.twinlane.sandbox.CompiledProfile) to
 * itself and execs CMD: namespaces, no_new_privs, Landlock, capabilities, seccomp, execve. Java
 * cannot run code between fork and exec, and Landlock applied inside a JVM misses the threads that
 * already exist, so this small program does the applying. It parses nothing but fixed-size fields:
 * every name, path and rule was checked and compiled by Java; this only checks the format's magic,
 * version, sizes and CRC-32, then hands the bytes to the kernel.
 *
 * Exit codes: CMD's own; 125 when the sandbox could not be set up (one line on stderr says which
 * step and why), 126 when CMD could not be executed, 127 when it was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORMAT_VERSION 1
#define MAX_PROFILE (1 << 20)
#define SETUP_FAILED 125

enum {
    F_NS_USER = 1 << 0, F_NS_MOUNT = 1 << 1, F_NS_NET = 1 << 2, F_NS_PID = 1 << 3,
    F_SECCOMP_LOG = 1 << 4, F_LANDLOCK_LOG = 1 << 5, F_DROP_CAPS = 1 << 6, F_LANDLOCK_FS = 1 << 7,
};

/* Debian 12's headers are 6.1: the Landlock ABI 4+ fields are declared here. */
struct ll_ruleset_attr { uint64_t fs; uint64_t net; };
struct ll_path_beneath { uint64_t allowed; int32_t fd; } __attribute__((packed));
struct ll_net_port { uint64_t allowed; uint64_t port; };
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_VERSION 1U
#define LL_LOG_NEW_EXEC_ON 2U
#define LL_ABI7 7
/* rights a rule on a file (not a directory) may carry: execute, write, read, truncate, ioctl_dev */
#define LL_FILE_RIGHTS ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 14) | (1ULL << 15))
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG 2
#endif

struct header {
    char magic[8];
    uint32_t version, flags;
    uint64_t net_handled;
    uint32_t n_insns, n_paths, n_ports, reserved;
};

static const char *step = "read profile";

static void die(const char *why) {
    fprintf(stderr, "twinlane-sandbox-exec: %s: %s\n", step, why);
    exit(SETUP_FAILED);
}

static void check(long rc) {
    if (rc < 0) die(strerror(errno));
}

static uint32_t crc32(const unsigned char *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static size_t read_profile(const char *path, unsigned char *buf) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    check(fd);
    size_t n = 0;
    for (ssize_t r; (r = read(fd, buf + n, MAX_PROFILE - n)) != 0; n += (size_t) r) {
        check(r);
        if (n + (size_t) r == MAX_PROFILE) die("larger than 1 MiB");
    }
    close(fd);
    return n;
}

/* The whole file is checked before any of it is used. */
static const struct header *parse(const unsigned char *buf, size_t n) {
    const struct header *h = (const void *) buf;
    if (n < sizeof *h + 4 || memcmp(h->magic, "TLSANDBX", 8) != 0) die("not a compiled twinlane sandbox profile");
    if (h->version != FORMAT_VERSION) die("compiled by another format version (compile it again)");
    uint32_t crc;
    memcpy(&crc, buf + n - 4, 4);
    if (crc != crc32(buf, n - 4)) die("checksum mismatch (a damaged file: compile it again)");
    if (h->n_insns == 0 || h->n_insns > BPF_MAXINSNS) die("bad seccomp program length");
    return h;
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    check(fd);
    check(write(fd, text, strlen(text)));
    close(fd);
}

static void enter_namespaces(uint32_t flags) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    int clone = (flags & F_NS_USER ? CLONE_NEWUSER : 0) | (flags & F_NS_MOUNT ? CLONE_NEWNS : 0)
            | (flags & F_NS_NET ? CLONE_NEWNET : 0) | (flags & F_NS_PID ? CLONE_NEWPID : 0);
    if (clone == 0) return;
    step = "unshare";
    check(unshare(clone));
    if (flags & F_NS_USER) {
        char map[64];
        step = "user namespace maps";
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1", gid);
        write_file("/proc/self/gid_map", map);
    }
    if (flags & F_NS_MOUNT) {
        step = "mount namespace";
        check(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
    }
    if (flags & F_NS_NET) {
        /* a new network namespace has only lo, and it is down */
        step = "bring up lo";
        struct ifreq ifr = {0};
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        check(s);
        strcpy(ifr.ifr_name, "lo");
        check(ioctl(s, SIOCGIFFLAGS, &ifr));
        ifr.ifr_flags |= IFF_UP;
        check(ioctl(s, SIOCSIFFLAGS, &ifr));
        close(s);
    }
}

/* A new pid namespace takes effect for children only: the parent waits and passes the status on. */
static void fork_into_pid_namespace(uint32_t flags) {
    if (!(flags & F_NS_PID)) return;
    step = "fork into the pid namespace";
    pid_t child = fork();
    check(child);
    if (child == 0) {
        if (flags & F_NS_MOUNT) {
            step = "mount /proc";
            check(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
        }
        return;
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) die(strerror(errno));
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static uint64_t fs_rights(int abi) {
    uint64_t all = (1ULL << 13) - 1;
    if (abi >= 2) all |= 1ULL << 13; /* refer */
    if (abi >= 3) all |= 1ULL << 14; /* truncate */
    if (abi >= 5) all |= 1ULL << 15; /* ioctl_dev */
    return all;
}

static void add_path_rule(int ruleset, uint64_t fs, uint64_t access, const char *path) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return; /* grants nothing: a missing path stays denied */
    check(fd);
    struct stat st;
    check(fstat(fd, &st));
    struct ll_path_beneath rule = {access & fs, fd};
    if (!S_ISDIR(st.st_mode)) rule.allowed &= LL_FILE_RIGHTS;
    if (rule.allowed != 0) check(syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0));
    close(fd);
}

static void apply_landlock(const struct header *h, const unsigned char *p) {
    step = "landlock";
    int abi = (int) syscall(SYS_landlock_create_ruleset, NULL, 0, LL_VERSION);
    int wants_fs = h->flags & F_LANDLOCK_FS;
    if (!wants_fs && h->net_handled == 0) return;
    if (abi < 0) die("this kernel has no Landlock (not built in, or not in the lsm= list)");
    if (h->net_handled != 0 && abi < 4) die("TCP port rules need Landlock ABI 4 (Linux 6.7); this kernel has an older one");
    struct ll_ruleset_attr attr = {wants_fs ? fs_rights(abi) : 0, h->net_handled};
    int ruleset = (int) syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    check(ruleset);
    for (uint32_t i = 0; i < h->n_paths; i++) {
        uint64_t access;
        uint32_t len;
        memcpy(&access, p, 8);
        memcpy(&len, p + 8, 4);
        add_path_rule(ruleset, attr.fs, access, (const char *) p + 12);
        p += 12 + len;
    }
    for (uint32_t i = 0; i < h->n_ports; i++, p += sizeof(struct ll_net_port)) {
        struct ll_net_port rule;
        memcpy(&rule, p, sizeof rule);
        check(syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &rule, 0));
    }
    /* by default Landlock logs denials of this program only, not of the program it execs */
    unsigned flags = (h->flags & F_LANDLOCK_LOG) && abi >= LL_ABI7 ? LL_LOG_NEW_EXEC_ON : 0;
    if ((h->flags & F_LANDLOCK_LOG) && abi < LL_ABI7)
        fprintf(stderr, "twinlane-sandbox-exec: Landlock ABI %d (< 7) cannot log the workload's denials; they are enforced, not logged\n", abi);
    check(syscall(SYS_landlock_restrict_self, ruleset, flags));
    close(ruleset);
}

static void drop_capabilities(void) {
    step = "drop capabilities";
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++) check(prctl(PR_CAPBSET_DROP, cap));
    check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0}};
    check(syscall(SYS_capset, &hdr, none));
}

/*
 * --confine-writes DIR... -- CMD: the agent's own confinement (docs/SANDBOX.md, "The agent hardens
 * itself"). Only write-like rights are handled, so reads and execution stay as they were; DIRs get
 * them all but device nodes. No seccomp here: the agent filters itself after start-up (TSYNC). A
 * kernel without Landlock is no setup failure: CMD runs and TWINLANE_LANDLOCK says why not, for the
 * agent to report (it checks a claim of protection with a write of its own).
 */
#define LL_MAKE_CHAR (1ULL << 6)
#define LL_MAKE_BLOCK (1ULL << 11)
/* write_file, then remove_dir ... make_sym, refer, truncate, ioctl_dev (bits 4-15) */
#define LL_WRITE_RIGHTS ((1ULL << 1) | (0xfffULL << 4))

static void confine_writes(char **dirs, int n) {
    step = "landlock";
    int abi = (int) syscall(SYS_landlock_create_ruleset, NULL, 0, LL_VERSION);
    if (abi < 0) {
        char why[160];
        int err = errno;   /* other than these two, e.g. EPERM from a container's seccomp profile */
        snprintf(why, sizeof why, "none: %s%s", err == EOPNOTSUPP || err == ENOSYS ? "" : "landlock_create_ruleset: ",
                err == EOPNOTSUPP ? "Landlock is built in but not enabled (not in the lsm= list)"
                : err == ENOSYS ? "this kernel has no Landlock" : strerror(err));
        setenv("TWINLANE_LANDLOCK", why, 1);
        return;
    }
    struct ll_ruleset_attr attr = {LL_WRITE_RIGHTS & fs_rights(abi), 0};
    /* the ABI 6+ attribute has 24 bytes, but the first 16 mean the same and the kernel takes them */
    int ruleset = (int) syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    check(ruleset);
    for (int i = 0; i < n; i++) {
        step = dirs[i];
        struct stat st;
        if (stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode)) die("not a directory (the launcher creates them first)");
        add_path_rule(ruleset, attr.fs, attr.fs & ~(LL_MAKE_CHAR | LL_MAKE_BLOCK), dirs[i]);
    }
    step = "no_new_privs";
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    step = "landlock";
    check(syscall(SYS_landlock_restrict_self, ruleset, 0));
    close(ruleset);
    char claim[64];
    snprintf(claim, sizeof claim, "abi=%d handled=0x%llx", abi, (unsigned long long) attr.fs);
    setenv("TWINLANE_LANDLOCK", claim, 1);
}

/* argv: DIR... -- CMD [ARG...] */
static int confine_writes_and_exec(int argc, char **argv) {
    int sep = 0;
    while (sep < argc && strcmp(argv[sep], "--") != 0) sep++;
    if (sep + 1 >= argc) {
        fprintf(stderr, "usage: twinlane-sandbox-exec --confine-writes DIR... -- CMD [ARG...]\n");
        return 2;
    }
    confine_writes(argv, sep);
    execvp(argv[sep + 1], argv + sep + 1);
    int err = errno;
    fprintf(stderr, "twinlane-sandbox-exec: %s: %s\n", argv[sep + 1], strerror(err));
    return err == ENOENT ? 127 : 126;
}

/* The profile's region sizes must add up to the file's size exactly. */
static void check_sizes(const struct header *h, const unsigned char *buf, size_t n) {
    const unsigned char *p = buf + sizeof *h + (size_t) h->n_insns * sizeof(struct sock_filter);
    const unsigned char *end = buf + n - 4;
    for (uint32_t i = 0; i < h->n_paths; i++) {
        uint32_t len;
        if (p + 12 > end) die("truncated path rules");
        memcpy(&len, p + 8, 4);
        if (len == 0 || p + 12 + len > end || p[12 + len - 1] != 0) die("bad path rule");
        p += 12 + len;
    }
    if (p + (size_t) h->n_ports * sizeof(struct ll_net_port) != end) die("sizes do not add up");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--confine-writes") == 0) return confine_writes_and_exec(argc - 2, argv + 2);
    if (argc < 3) {
        fprintf(stderr, "usage: twinlane-sandbox-exec PROFILE.tlsb CMD [ARG...]\n");
        return 2;
    }
    static unsigned char buf[MAX_PROFILE];
    size_t n = read_profile(argv[1], buf);
    const struct header *h = parse(buf, n);
    check_sizes(h, buf, n);
    struct sock_fprog prog = {(unsigned short) h->n_insns, (struct sock_filter *) (buf + sizeof *h)};

    enter_namespaces(h->flags);
    fork_into_pid_namespace(h->flags);
    step = "no_new_privs";
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    apply_landlock(h, buf + sizeof *h + (size_t) h->n_insns * sizeof(struct sock_filter));
    if (h->flags & F_DROP_CAPS) drop_capabilities();
    step = "seccomp";
    check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, h->flags & F_SECCOMP_LOG ? SECCOMP_FILTER_FLAG_LOG : 0, &prog));
    /* the filter allows execve: CMD has to start; Landlock's execute right limits what it may be */
    execvp(argv[2], argv + 2);
    int err = errno;
    fprintf(stderr, "twinlane-sandbox-exec: %s: %s\n", argv[2], strerror(err));
    return err == ENOENT ? 127 : 126;
}
