package dev.twinlane.sandbox;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * Confines the calling JVM itself: a seccomp filter that denies (EPERM) what a long-running agent
 * never needs, put on every thread that exists and every thread started later
 * (SECCOMP_FILTER_FLAG_TSYNC). A denylist, not an allowlist: the JVM's own needs change with its
 * version and flags. Landlock cannot be applied this way (it would miss the threads that already
 * exist: ../shared/facts/landlock-seccomp.md). `twinlane run` calls it after start-up (docs/SANDBOX.md).
 */
public final class SelfHardening {
    /** What is denied: running programs, debugging others, mounting (both APIs), kernel code, io_uring. */
    public static final List<String> DENIED = List.of("execve", "execveat", "ptrace", "process_vm_writev",
            "mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
            "pivot_root", "chroot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
            "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd");

    /** glibc's syscall(2) and prctl(2), with fixed signatures (x86_64 passes the variadic integers in registers). */
    public interface LibC {
        @SaveError
        long syscall(long number, long a1, long a2, Pointer a3);

        @SaveError
        int prctl(int option, long a2, long a3, long a4, long a5);
    }

    private SelfHardening() {
    }

    /** The filter's program (struct sock_filter[]), for tests and status. */
    static byte[] program() {
        SortedSet<Integer> numbers = new TreeSet<>();
        for (String name : DENIED) {
            numbers.add(SyscallTable.x86_64().number(name));
        }
        return SeccompFilter.denying(numbers);
    }

    /** Applies the filter to every thread of this process; throws with the errno's number when the kernel refuses. */
    public static void apply() {
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        Runtime runtime = Runtime.getRuntime(libc);
        if (libc.prctl(SeccompFilter.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed: errno " + runtime.getLastError());
        }
        byte[] program = program();
        Pointer filter = Memory.allocateDirect(runtime, program.length);
        filter.put(0, program, 0, program.length);
        Pointer fprog = Memory.allocateDirect(runtime, 16); // struct sock_fprog: u16 len, 6 bytes padding, pointer
        fprog.putShort(0, (short) (program.length / SeccompFilter.INSTRUCTION_BYTES));
        fprog.putPointer(8, filter);
        long rc = libc.syscall(SyscallTable.x86_64().number("seccomp"), SeccompFilter.SECCOMP_SET_MODE_FILTER,
                SeccompFilter.SECCOMP_FILTER_FLAG_TSYNC, fprog);
        if (rc != 0) {
            // with TSYNC a positive result names a thread that could not take the filter
            throw new IllegalStateException(rc > 0 ? "seccomp TSYNC failed on thread " + rc
                    : "seccomp(SECCOMP_SET_MODE_FILTER) failed: errno " + runtime.getLastError());
        }
    }
}
