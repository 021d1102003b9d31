package dev.twinlane.ingest;

import java.util.Optional;

import jnr.ffi.Pointer;

import dev.twinlane.policy.FileSystemResolver;
import dev.twinlane.policy.Inode;
import dev.twinlane.policy.PathResolver;

/**
 * Resolves a policy's paths with statx(2) through the libc binding the agent loads anyway. A
 * file rule costs a system call, and NIO's attribute view (FileSystemResolver) adds to it: about
 * 0.6 us a path warm and 40 us while the JVM is cold (path parsing, an attribute map, boxed
 * numbers), which for the 2000 files of the benchmark's 10 k rules was most of a compile. Any
 * path this does not resolve (missing, not ASCII, an error) goes to FileSystemResolver, so what
 * such a path gives (empty, or the error and its words) is what it gave before; a path statx
 * follows to a file is the same inode either way (links followed, "/dir/" is "/dir").
 */
public final class StatxResolver implements PathResolver {
    private static final int AT_FDCWD = -100;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 256;
    private static final int INO_AT = 32;
    private static final int DEV_MAJOR_AT = 136;
    private static final int DEV_MINOR_AT = 140;
    private static final int PATH_MAX = 4096;

    private final FileSystemResolver nio = new FileSystemResolver();
    /** A path and a struct statx per thread: no allocation per call. */
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    private record Buffers(byte[] bytes, Pointer path, Pointer stat) {
        Buffers() {
            this(new byte[PATH_MAX + 1], Native.allocate(PATH_MAX + 1), Native.allocate(STATX_SIZE));
        }
    }

    @Override
    public Optional<Inode> resolve(String path) {
        Buffers b = buffers.get();
        if (!putAscii(path, b) || Native.LIBC.statx(AT_FDCWD, b.path(), 0, STATX_INO, b.stat()) != 0
                || (b.stat().getInt(0) & STATX_INO) == 0) {
            return nio.resolve(path);
        }
        long major = b.stat().getInt(DEV_MAJOR_AT) & 0xffffffffL;
        long minor = b.stat().getInt(DEV_MINOR_AT) & 0xffffffffL;
        return Optional.of(new Inode(b.stat().getLong(INO_AT), major << 20 | minor));   // the kernel's dev encoding
    }

    /**
     * The path NUL-terminated into the native buffer, if it is printable ASCII and fits: NIO
     * encodes others by the JVM's file name charset and refuses a NUL, so they are NIO's to resolve.
     */
    private static boolean putAscii(String path, Buffers b) {
        int n = path.length();
        if (n == 0 || n > PATH_MAX) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
            b.bytes()[i] = (byte) c;
        }
        b.bytes()[n] = 0;
        b.path().put(0, b.bytes(), 0, n + 1);
        return true;
    }
}
