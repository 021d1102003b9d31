package dev.twinlane.ingest;

import java.lang.reflect.Field;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import sun.misc.Unsafe;
import dev.twinlane.records.RawMemory;

/** Loaded native libraries and raw memory access, created once per JVM. */
final class Native {
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    static final Unsafe UNSAFE = RawMemory.UNSAFE;
    private static volatile LibBpf libbpf;

    private Native() {
    }

    /** libbpf is loaded on first use so that pure decoding works without it. */
    static LibBpf libbpf() {
        LibBpf l = libbpf;
        if (l == null) {
            synchronized (Native.class) {
                if (libbpf == null) {
                    try {
                        libbpf = LibraryLoader.create(LibBpf.class).failImmediately().load("bpf");
                    } catch (UnsatisfiedLinkError e) {
                        throw new IngestException("libbpf (libbpf1) is not installed: apt-get install libbpf1");
                    }
                    libbpf.libbpf_set_print(null);
                }
                l = libbpf;
            }
        }
        return l;
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        String s = LIBC.strerror(errno);
        return s + " (" + errnoName(errno) + ")";
    }

    static String errnoName(int errno) {
        switch (errno) {
            case 1: return "EPERM";
            case 2: return "ENOENT";
            case 7: return "E2BIG";
            case 9: return "EBADF";
            case 12: return "ENOMEM";
            case 13: return "EACCES";
            case 14: return "EFAULT";
            case 16: return "EBUSY";
            case 22: return "EINVAL";
            case 95: return "EOPNOTSUPP";
            case 524: return "ENOTSUPP";
            default: return "errno " + errno;
        }
    }

    /** Off-heap memory for call arguments; freed by the GC with the Pointer. */
    static Pointer allocate(int size) {
        return Memory.allocateDirect(RUNTIME, size, true);
    }

}
