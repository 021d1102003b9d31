package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps disk blocks reserved ahead of the write position of the current cycle file, so a
 * record is only written into space that already exists. Chronicle maps its files sparse;
 * writing a hole on a full file system raises SIGBUS in the middle of a record. With this
 * guard a full disk is an exception before the record is started, and the chain stays whole.
 *
 * <p>A new cycle file is created by Chronicle inside the append that rolls to it, before we
 * can reserve anything; for that append we require {@code rollReserve} bytes of free space
 * first (a race with other writers of the same file system remains, and is documented).
 */
final class SpaceGuard implements AutoCloseable {
    private static final LibC LIBC = LibC.load();
    private static final long STEP = 4L << 20;

    private final long headroom;
    private final long rollReserve;
    private final Path dir;
    private Path file;
    private int fd = -1;
    private long allocatedTo;
    private long end = -1;
    private int cycle = Integer.MIN_VALUE;

    SpaceGuard(Path dir, int maxRecordBytes, int indexCount) {
        this.dir = dir;
        // next record, an index array Chronicle may put before it, the 8 bytes it clears after it
        this.headroom = maxRecordBytes + 8L * indexCount + 4096;
        this.rollReserve = 2 * (16L * indexCount + headroom + STEP);
    }

    static boolean available() {
        return LIBC != null;
    }

    int cycle() {
        return cycle;
    }

    /**
     * Called before a record is started. {@code rolling} says Chronicle may create a new
     * file for it. Throws WalFullException when the record could land on unreserved space.
     */
    void beforeAppend(boolean rolling) {
        if (LIBC == null) {
            return;
        }
        if (rolling || fd < 0) {
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw new WalFullException("cannot query free space in " + dir + ": " + e.getMessage(), e);
            }
            if (free < rollReserve) {
                throw new WalFullException("file system of " + dir + " is full (" + free + " bytes free, "
                        + rollReserve + " needed to start a cycle file)", null);
            }
            return;
        }
        if (end + headroom > allocatedTo) {
            reserve(end + headroom + STEP);
        }
    }

    /** Called after a record was written; {@code recordEnd} is its end offset in {@code f}. */
    void afterAppend(int c, Path f, long recordEnd) {
        end = recordEnd;
        if (c != cycle) {
            cycle = c;
            switchTo(f);
        }
    }

    private void switchTo(Path f) {
        closeFd();
        file = f;
        allocatedTo = 0;
        if (LIBC == null) {
            return;
        }
        fd = LIBC.open(f.toString(), LibC.O_RDWR);
        if (fd < 0) {
            throw new WalException("cannot open " + f + " to reserve space");
        }
        try {
            reserve(end + headroom + STEP); // the file's header and first index arrays too
        } catch (WalFullException e) {
            // the record is written; the next append retries the reservation and fails cleanly
        }
    }

    private void reserve(long upTo) {
        int rc = LIBC.posix_fallocate(fd, allocatedTo, upTo - allocatedTo);
        if (rc != 0) {
            throw new WalFullException("cannot reserve space in " + file + ": " + LIBC.strerror(rc)
                    + (rc == LibC.ENOSPC ? " (file system full)" : ""), null);
        }
        allocatedTo = upTo;
    }

    private void closeFd() {
        if (fd >= 0) {
            LIBC.close(fd);
            fd = -1;
        }
    }

    @Override
    public void close() {
        closeFd();
    }
}
