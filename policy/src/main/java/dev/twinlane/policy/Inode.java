package dev.twinlane.policy;

/**
 * A file as the kernel's hooks see it: inode number and device, the device in the kernel's
 * encoding (major << 20 | minor), not the one stat returns.
 */
public record Inode(long ino, long dev) {
    /** The kernel's dev_t encoding from the user-space one stat returns. */
    public static long kernelDev(long userDev) {
        long major = ((userDev >>> 8) & 0xfff) | ((userDev >>> 32) & ~0xfffL);
        long minor = (userDev & 0xff) | ((userDev >>> 12) & ~0xffL);
        return (major << 20) | minor;
    }
}
