package dev.twinlane.sandbox;

/**
 * What a profile's read, write and execute lines grant beneath a path, as Landlock filesystem
 * rights (uapi/linux/landlock.h, LANDLOCK_ACCESS_FS_*). The helper handles every right the running
 * kernel's Landlock ABI knows and keeps, of these, those that ABI knows.
 */
enum PathAccess {
    READ(Rights.READ_FILE | Rights.READ_DIR),
    // everything that changes a file or a directory's entries, except making device nodes
    WRITE(Rights.WRITE_FILE | Rights.REMOVE_DIR | Rights.REMOVE_FILE | Rights.MAKE_DIR | Rights.MAKE_REG
            | Rights.MAKE_SOCK | Rights.MAKE_FIFO | Rights.MAKE_SYM | Rights.REFER | Rights.TRUNCATE | Rights.IOCTL_DEV),
    EXECUTE(Rights.EXECUTE);

    final long rights;

    PathAccess(long rights) {
        this.rights = rights;
    }

    /** Bits of LANDLOCK_ACCESS_FS_* and LANDLOCK_ACCESS_NET_*. */
    static final class Rights {
        static final long EXECUTE = 1L;
        static final long WRITE_FILE = 1L << 1;
        static final long READ_FILE = 1L << 2;
        static final long READ_DIR = 1L << 3;
        static final long REMOVE_DIR = 1L << 4;
        static final long REMOVE_FILE = 1L << 5;
        static final long MAKE_DIR = 1L << 7;
        static final long MAKE_REG = 1L << 8;
        static final long MAKE_SOCK = 1L << 9;
        static final long MAKE_FIFO = 1L << 10;
        static final long MAKE_SYM = 1L << 12;
        static final long REFER = 1L << 13;
        static final long TRUNCATE = 1L << 14;
        static final long IOCTL_DEV = 1L << 15;
        static final long NET_BIND_TCP = 1L;
        static final long NET_CONNECT_TCP = 1L << 1;

        private Rights() {
        }
    }
}
