/* Prints, as NAME VALUE lines, the kernel ABI constants the Java side writes into compiled
 * profiles, from the kernel's own headers (KernelConstantsTest compares them). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <asm/unistd.h>
#include <stddef.h>
#include <stdio.h>

#define P(name, value) printf("%s %lld\n", name, (long long) (value))

int main(void) {
    P("AUDIT_ARCH_X86_64", (int) AUDIT_ARCH_X86_64);
    P("X32_SYSCALL_BIT", __X32_SYSCALL_BIT);
    P("RET_KILL_PROCESS", (int) SECCOMP_RET_KILL_PROCESS);
    P("RET_ALLOW", (int) SECCOMP_RET_ALLOW);
    P("RET_ERRNO_EPERM", (int) (SECCOMP_RET_ERRNO | EPERM));
    P("LD_W_ABS", BPF_LD | BPF_W | BPF_ABS);
    P("JEQ_K", BPF_JMP | BPF_JEQ | BPF_K);
    P("JGE_K", BPF_JMP | BPF_JGE | BPF_K);
    P("JA", BPF_JMP | BPF_JA);
    P("RET_K", BPF_RET | BPF_K);
    P("OFFSET_NR", offsetof(struct seccomp_data, nr));
    P("OFFSET_ARCH", offsetof(struct seccomp_data, arch));
    P("INSTRUCTION_BYTES", sizeof(struct sock_filter));
    P("SECCOMP_SET_MODE_FILTER", SECCOMP_SET_MODE_FILTER);
    P("SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC);
    P("PR_SET_NO_NEW_PRIVS", PR_SET_NO_NEW_PRIVS);
    P("READ", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR);
    P("EXECUTE", LANDLOCK_ACCESS_FS_EXECUTE);
    /* Debian 12's headers stop at ABI 2 (refer): truncate (1 << 14, ABI 3) and ioctl_dev
     * (1 << 15, ABI 5) are added as the newer headers define them. */
    P("WRITE", LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE
            | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK
            | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER
            | (1ULL << 14) | (1ULL << 15));
    return 0;
}
