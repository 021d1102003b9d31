package dev.twinlane.wal;

import jnr.ffi.LibraryLoader;

/**
 * Holds the one libc binding of the log (a binding is generated per load, so it is loaded once).
 */
final class NativeCalls {
    /** Null when the native library cannot be loaded (then space is not reserved ahead). */
    static final LibC LIBC = load();

    private NativeCalls() {
    }

    /**
     * The few libc calls Java lacks, through jnr-ffi. posix_fallocate reserves disk blocks under
     * the memory-mapped queue file, so that a full disk shows up as an error code here instead of
     * a SIGBUS when a mapped page is first written. Public only because jnr-ffi implements it in a
     * class loader of its own, which reaches nothing less than a public interface; nested in this
     * package-private class, nothing outside wal can name it.
     */
    public interface LibC {
        int O_RDWR = 2;
        int O_CREAT = 0100;
        int ENOSPC = 28;
        int O_RDONLY = 0;
        int POSIX_FADV_WILLNEED = 3;
        int O_CLOEXEC = 02000000;
        int LOCK_EX = 2;
        int LOCK_NB = 4;

        int open(String path, int flags, int mode);

        default int open(String path, int flags) {
            return open(path, flags, 0600);
        }

        int close(int fd);

        /** Returns 0 or an errno value (it does not set errno). */
        int posix_fallocate(int fd, long offset, long len);

        /** Returns 0 or an errno value. WILLNEED reads the range into the page cache now, in the caller. */
        int posix_fadvise(int fd, long offset, long len, int advice);

        String strerror(int errnum);

        /** flock(2): a lock of the open file description (not of the process), so no other close drops it. */
        int flock(int fd, int operation);
    }

    private static LibC load() {
        try {
            return LibraryLoader.create(LibC.class).load("c");
        } catch (Throwable t) {
            return null;
        }
    }
}
