/*
 * The tests' workload: one operation, then "ok" or the errno's name on stdout (exit 0 or 1).
 *   probe create PATH | write PATH | mkdir PATH | rename FROM TO | unlink PATH | read PATH
 *   probe socket | connect PORT | bind PORT | mount DIR | uid_map | pid | ns NAME
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int done(long rc) {
    if (rc >= 0) {
        puts("ok");
        return 0;
    }
    puts(strerrorname_np(errno));
    return 1;
}

static int cat(const char *path) {
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return done(fd);
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t) n, stdout);
    return n < 0 ? done(n) : 0;
}

static int tcp(const char *op, const char *port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return done(s);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) atoi(port))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return done(strcmp(op, "bind") == 0 ? bind(s, (void *) &a, sizeof a) : connect(s, (void *) &a, sizeof a));
}

int main(int argc, char **argv) {
    const char *op = argc > 1 ? argv[1] : "";
    const char *arg = argc > 2 ? argv[2] : "";
    if (!strcmp(op, "create")) return done(open(arg, O_WRONLY | O_CREAT | O_EXCL, 0600));
    if (!strcmp(op, "write")) return done(open(arg, O_WRONLY));
    if (!strcmp(op, "read")) return done(open(arg, O_RDONLY));
    if (!strcmp(op, "mkdir")) return done(mkdir(arg, 0700));
    if (!strcmp(op, "rename") && argc > 3) return done(rename(arg, argv[3]));
    if (!strcmp(op, "unlink")) return done(unlink(arg));
    if (!strcmp(op, "socket")) return done(socket(AF_INET, SOCK_STREAM, 0));
    if (!strcmp(op, "connect") || !strcmp(op, "bind")) return tcp(op, arg);
    if (!strcmp(op, "mount")) return done(mount("none", arg, "tmpfs", 0, NULL));
    if (!strcmp(op, "uid_map")) return cat("/proc/self/uid_map");
    if (!strcmp(op, "netdev")) return cat("/proc/self/net/dev");
    if (!strcmp(op, "pid")) return printf("%d\n", getpid()) < 0;
    if (!strcmp(op, "ns")) {
        char path[64], link[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", arg);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n < 0) return done(n);
        link[n] = 0;
        return puts(link) < 0;
    }
    fprintf(stderr, "probe: unknown operation '%s'\n", op);
    return 2;
}
