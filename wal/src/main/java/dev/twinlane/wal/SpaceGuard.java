package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.twinlane.wal.NativeCalls.LibC;

/**
 * Keeps disk blocks reserved ahead of the write position of the current cycle file, so a
 * record is only written into space that already exists. Chronicle maps its files sparse;
 * writing a hole on a full file system raises SIGBUS in the middle of a record. With this
 * guard a full disk is an exception before the record is started, and the chain stays whole.
 *
 * <p>A new cycle file is created by Chronicle inside the append that rolls to it, before we
 * can reserve anything in it. For that moment the guard keeps a ballast file (wal.reserve)
 * of {@code rollReserve} bytes and deletes it just before the rolling append, so the new
 * file's first blocks come from space we held. Without a ballast (it could not be re-created
 * on a full disk) every append near the roll first checks that enough space is free. What
 * remains is a race of microseconds with another writer filling the same file system.
 *
 * <p>Reservations run at least one step ahead of the record, and each reserved range goes to
 * the {@link Pretoucher}, so the pages are in the page cache before the appender reaches them.
 */
final class SpaceGuard implements AutoCloseable {
    private static final LibC LIBC = NativeCalls.LIBC;
    private static final long STEP = 4L << 20;
    static final String BALLAST = "wal.reserve";

    private final long headroom;
    private final long rollReserve;
    private final Path dir;
    private final Path ballast;
    private boolean haveBallast;
    private Path file;
    private int fd = -1;
    private long allocatedTo;
    private long end = -1;
    private int cycle = Integer.MIN_VALUE;
    private final Pretoucher pretoucher;

    SpaceGuard(Path dir, int maxRecordBytes, int indexCount, String name, Runnable pretoucherSetup) {
        this.dir = dir;
        this.pretoucher = LIBC == null ? null : new Pretoucher(name, pretoucherSetup);
        this.ballast = dir.resolve(BALLAST);
        // next record, an index array Chronicle may put before it, the 8 bytes it clears after it
        this.headroom = maxRecordBytes + 8L * indexCount + 4096;
        this.rollReserve = 2 * (16L * indexCount + headroom + STEP);
        makeBallast();
    }

    static boolean available() {
        return LIBC != null;
    }

    /** Reserves every block of an existing file (Chronicle's metadata.cq4t is mapped too). */
    static void reserveWhole(Path f) throws IOException {
        if (LIBC == null || !Files.exists(f)) {
            return;
        }
        int fd = LIBC.open(f.toString(), LibC.O_RDWR);
        if (fd < 0) {
            throw new IOException("cannot open " + f + " to reserve space");
        }
        try {
            int rc = LIBC.posix_fallocate(fd, 0, Files.size(f));
            if (rc != 0) {
                throw new WalException.Full("cannot reserve space for " + f + ": " + LIBC.strerror(rc), null);
            }
        } finally {
            LIBC.close(fd);
        }
    }

    int cycle() {
        return cycle;
    }

    /** The cycle file the appender writes, and where its last record ends (the appender's lock held). */
    Path file() {
        return file;
    }

    long end() {
        return end;
    }

    /**
     * Called before a record is started; {@code roll}: Chronicle will create a new cycle file
     * for it (the appender and Chronicle decide this from the same clock reading). Throws
     * WalException.Full when the record could land on unreserved space.
     */
    void beforeAppend(boolean roll) {
        if (LIBC == null) {
            return;
        }
        if (fd >= 0 && !roll) {
            reserveAhead();
            return;
        }
        if (haveBallast) {
            dropBallast(); // its blocks are for the file Chronicle is about to create
            return;
        }
        requireFree();
    }

    /** At open: the file Chronicle will append to and where its data ends. */
    void resume(int c, Path f, long dataEnd) {
        end = dataEnd;
        cycle = c;
        switchTo(f);
    }

    private void requireFree() {
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new WalException.Full("cannot query free space in " + dir + ": " + e.getMessage(), e);
        }
        if (free < rollReserve) {
            throw new WalException.Full("file system of " + dir + " is full (" + free + " bytes free, "
                    + rollReserve + " needed to start a cycle file)", null);
        }
    }

    private void reserveAhead() {
        if (end + headroom + STEP > allocatedTo) {
            reserve(end + headroom + 2 * STEP);
            if (!haveBallast) {
                makeBallast(); // space came back: hold it for the next roll again
            }
        }
    }

    private void makeBallast() {
        if (LIBC == null) {
            return;
        }
        int bfd = LIBC.open(ballast.toString(), LibC.O_RDWR | LibC.O_CREAT);
        if (bfd < 0) {
            return;
        }
        try {
            haveBallast = LIBC.posix_fallocate(bfd, 0, rollReserve) == 0;
        } finally {
            LIBC.close(bfd);
        }
        if (!haveBallast) {
            dropBallast();
        }
    }

    private void dropBallast() {
        try {
            Files.deleteIfExists(ballast);
        } catch (IOException e) {
            // then the free-space check decides next time
        }
        haveBallast = false;
    }

    /** Called after a record was written; {@code recordEnd} is its end offset in {@code f}. */
    void afterAppend(int c, Path f, long recordEnd) {
        end = recordEnd;
        if (pretoucher != null) {
            pretoucher.appenderAt(recordEnd);
        }
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
            reserve(end + headroom + 2 * STEP); // the file's header and first index arrays too
            makeBallast();
        } catch (WalException.Full e) {
            // the record is written; the next append retries the reservation and fails cleanly
        }
    }

    private void reserve(long upTo) {
        int rc = LIBC.posix_fallocate(fd, allocatedTo, upTo - allocatedTo);
        if (rc != 0) {
            throw new WalException.Full("cannot reserve space in " + file + ": " + LIBC.strerror(rc)
                    + (rc == LibC.ENOSPC ? " (file system full)" : ""), null);
        }
        if (pretoucher != null) {
            pretoucher.request(file, allocatedTo, upTo);
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
        if (pretoucher != null) {
            pretoucher.close();
        }
    }
}
