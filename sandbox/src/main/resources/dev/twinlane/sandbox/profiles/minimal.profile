# minimal: command-line tools and data processing (seed 001's minimal policy, plus what a
# dynamically linked program needs to start). No network, no child processes, no writes but
# /dev/null. execve is allowed: the helper itself has to exec the workload after the filter.
syscalls read write open openat close lseek pread64 pwrite64 readv writev dup dup2 dup3 fcntl
syscalls stat fstat lstat newfstatat statx access faccessat faccessat2 readlink readlinkat
syscalls getcwd chdir fchdir getdents getdents64 umask
syscalls brk mmap munmap mprotect madvise mremap
syscalls getpid getppid gettid getuid geteuid getgid getegid getgroups getpgrp getrlimit prlimit64
syscalls exit exit_group uname sysinfo sched_yield sched_getaffinity getrandom fadvise64
syscalls clock_gettime clock_getres clock_nanosleep gettimeofday time nanosleep
syscalls select pselect6 poll ppoll epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2
syscalls ioctl futex rt_sigaction rt_sigprocmask rt_sigreturn sigaltstack
syscalls execve arch_prctl set_tid_address set_robust_list get_robust_list rseq
read /usr /lib /lib64 /bin /sbin /etc/ld.so.cache /proc/self /sys/devices/system/cpu /dev/urandom /dev/zero /dev/null
execute /usr /lib /lib64 /bin /sbin
write /dev/null
# every denial becomes a kernel audit record, which the agent chains into its security log (docs/SANDBOX.md)
log denials
