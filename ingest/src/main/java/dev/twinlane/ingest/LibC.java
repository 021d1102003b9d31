package dev.twinlane.ingest;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * libc calls for mapping ring buffers and sleeping on them. mmap must be
 * declared with Pointer/size_t/off_t: plain long parameters gave EINVAL.
 */
public interface LibC {
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    int EPOLL_CTL_ADD = 1;
    int EPOLLIN = 1;
    int EPOLLET = 1 << 31;
    int ENOSYS = 38;
    int EPOLL_CLOEXEC = 0x80000;
    int O_RDONLY = 0;
    int O_DIRECTORY = 0x10000;
    int O_CLOEXEC = 0x80000;
    int RLIMIT_MEMLOCK = 8;

    @SaveError
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError
    int munmap(Pointer addr, @size_t long length);

    @SaveError
    int sched_setscheduler(int pid, int policy, Pointer param);

    @SaveError
    int sched_getaffinity(int pid, @size_t long size, Pointer mask);

    @SaveError
    int sched_setaffinity(int pid, @size_t long size, Pointer mask);

    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    @SaveError
    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);

    /** epoll_wait with a nanosecond timeout (struct timespec); glibc 2.35+, kernel 5.11+. */
    @SaveError
    int epoll_pwait2(int epfd, Pointer events, int maxEvents, Pointer timeout, Pointer sigmask);

    @SaveError
    int open(String path, int flags);

    /** statx(2): the path as NUL-terminated bytes, struct statx (256 bytes) into buf. */
    int statx(int dirfd, Pointer path, int flags, int mask, Pointer buf);

    @SaveError
    int mount(String source, String target, String fstype, long flags, Pointer data);

    int close(int fd);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, Pointer addr, int addrLen);

    @SaveError
    int setsockopt(int fd, int level, int name, Pointer value, int len);

    @SaveError
    @ssize_t long recv(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t long send(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    int setrlimit(int resource, Pointer rlim);

    int getpid();

    int clock_gettime(int clock, Pointer timespec);

    int gettid();

    /** which 0 (PRIO_PROCESS) with a thread id: that thread's nice value (Linux). */
    @SaveError
    int setpriority(int which, int who, int prio);

    String strerror(int errnum);
}
