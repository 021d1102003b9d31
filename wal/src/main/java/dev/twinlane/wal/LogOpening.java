package dev.twinlane.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import dev.twinlane.wal.NativeCalls.LibC;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Opening a log directory, before any of it is read as a queue: the key files' checks, the
 * writer's two locks, the identity the writer remembers, the cycle files' check, the recovery of
 * the tail and, when told to, a damaged log's files set aside for a new log that names it.
 * {@link ChainedLog} builds its queue and threads on what this finds, and owns the locks after.
 */
final class LogOpening {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");
    private static final int EWOULDBLOCK = 11;
    private static final LibC LIBC = ChainedLog.LIBC;

    private final ChainedLog.Builder b;
    private final Path dir;
    private final String name;
    private final Path keyStateFile;
    private final Path identityFile;
    private final Path sealFile;
    private final String bootId;
    final int maxRecord;
    final int maxDocument;
    /** flock(2) on the log directory itself, and the lock on DIR/wal.lock. */
    int dirLockFd = -1;
    FileChannel lockChannel;
    FileLock lock;
    /** The key state file's content when the writer starts without the root key, else null. */
    KeyState state;
    Identity identity;
    String identityProblem;
    /** Cycle files a killed writer left unfinished, removed (they hold no records). */
    final List<String> removed = new ArrayList<>();
    TailRecovery.Result tail;
    /** When a new log replaces a damaged one: what its NEW_LOG record says, and where the old files are. */
    NewLog predecessor;
    Path retired;

    LogOpening(ChainedLog.Builder b, Path dir, Path keyStateFile, Path identityFile, Path sealFile, String bootId) {
        this.b = b;
        this.dir = dir;
        this.name = b.name;
        this.keyStateFile = keyStateFile;
        this.identityFile = identityFile;
        this.sealFile = sealFile;
        this.bootId = bootId;
        this.maxRecord = RecordFormat.OVERHEAD + b.maxPayload + 4;
        this.maxDocument = (int) Math.min(CycleFiles.LENGTH_MASK, maxRecord);
    }

    /** Checks, locks and recovers; a problem is one line in a WalException, with the locks released. */
    LogOpening open() {
        lock();
        try {
            recover();
        } catch (IOException | RuntimeException e) {
            release();
            if (e instanceof WalException) {
                throw (WalException) e;
            }
            throw new WalException("cannot open the log in " + dir + ": " + (e instanceof IOException ? e.getMessage()
                    : TailRecovery.diagnose(dir, e) + "; run `twinlane verify`"), e);
        }
        return this;
    }

    private void lock() {
        if (identityFile.startsWith(dir)) {
            throw new WalException("the identity file " + identityFile + " must be outside the log directory " + dir);
        }
        if (b.keys == null && !Files.exists(keyStateFile)) {
            throw new WalException("no key file given (neither a root key nor the key state file " + keyStateFile + ")");
        }
        if (b.keys != null) {
            for (Path f : b.keys.files()) {
                KeyFiles.requirePrivate(f, true);
            }
        }
        state = b.keys == null ? KeyState.load(keyStateFile) : null;
        if (b.sealKey != null && b.sealKey.file() != null) {
            KeyFiles.requirePrivate(b.sealKey.file(), true);
        }
        int dirFd = -1;
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            dirFd = lockDirectory(dir);
            ch = FileChannel.open(dir.resolve(ChainedLog.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new WalException("another writer has " + dir + " open");
            }
            this.lock = l;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            unlockDirectory(dirFd);
            if (e instanceof WalException) {
                throw (WalException) e;
            }
            throw new WalException("cannot open " + dir + ": " + e.getMessage(), e);
        }
        this.dirLockFd = dirFd;
        this.lockChannel = ch;
    }

    private void recover() throws IOException {
        try {
            identity = Identity.read(identityFile);
        } catch (WalException e) {
            identity = null;
            identityProblem = e.getMessage();
        }
        TailRecovery.Result r = identityProblem != null && b.startNewLogReason == null
                ? refused(TailRecovery.Problem.DAMAGED, 0, identityProblem + " (it names the log this directory must hold)",
                null, 0)
                : checkFiles();
        if (r == null) {
            r = TailRecovery.recover(dir, b.keys, state, identity, sealsAside(),
                    b.sealKey == null ? null : b.sealKey.publicKey(), bootId, maxDocument, maxDocument);
        }
        if (r.problem != null) {
            TailRecovery.Problem p = r.problem;
            String line = "wal " + name + " " + dir + ": refusing to start: " + p.line;
            if (b.startNewLogReason == null) {
                throw new WalException(line + (p.cause == TailRecovery.Problem.MISSING ? "; to start a new log"
                        : "; check it with `twinlane verify --wal " + dir + "`; to keep these files aside (in " + dir
                        + "/retired-...) and start a new log") + " that records why, start with --start-new-log REASON"
                        + " (ChainedLog.Builder.buildStartingNewLogIfDamaged)");
            }
            if (b.keys == null) {
                throw new WalException(line + "; starting a new log in its place needs the root key file (the key state"
                        + " file " + keyStateFile + " only continues a log)");
            }
            retired = retire(p);
            predecessor = new NewLog(p.logId, p.lastGoodSeq, p.firstBadSeq, p.cause, b.startNewLogReason, p.line);
            LOG.log(System.Logger.Level.WARNING, line + "; starting a new log in its place as told ("
                    + b.startNewLogReason + ")" + (retired == null ? "" : "; the previous files are in " + retired));
            if (state != null) {
                state.keys.erase();
                state = null;
            }
            removed.clear();
            r = TailRecovery.recover(dir, b.keys, null, null, List.of(), null, bootId, maxDocument, maxDocument);
            if (r.problem != null || !r.empty()) {
                throw new WalException(line + "; and " + dir + " is still not empty after moving the files aside");
            }
        }
        TailRecovery.zeroTorn(r);
        if (!removed.isEmpty() || r.tornBytesZeroed > 0) {
            KeyFiles.syncDirectory(dir);
        }
        tail = r;
    }

    /** Releases both locks (after a failed open; an open log's are released by its close). */
    void release() {
        release(lock, lockChannel, dirLockFd);
    }

    static void release(FileLock lock, FileChannel channel, int dirLockFd) {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            // the lock dies with the channel anyway
        }
        closeQuietly(channel);
        unlockDirectory(dirLockFd);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // the lock dies with the channel anyway
            }
        }
    }

    private static TailRecovery.Result refused(int cause, long seq, String line, byte[] logId, long lastGood) {
        TailRecovery.Result r = new TailRecovery.Result();
        r.problem = new TailRecovery.Problem(cause, seq, line, logId, lastGood);
        return r;
    }

    /**
     * Before anything reads the cycle files as a queue: files a killed writer left unfinished
     * are removed (they hold no records); a file that is not whole pages or not a Chronicle file
     * is a problem. Returns null when the files may be read.
     */
    private TailRecovery.Result checkFiles() throws IOException {
        byte[] id = identity == null ? null : identity.logId;
        long durable = identity == null ? 0 : identity.durableSeq;
        for (Path f : CycleFiles.list(dir)) {
            boolean unfinished;
            try {
                unfinished = CycleFiles.checkStart(f, "SCQStore");
            } catch (WalException e) {
                return refused(TailRecovery.Problem.DAMAGED, 0, e.getMessage(), id, durable);
            }
            long size = Files.size(f);
            if (size % 4096 != 0) {
                // Chronicle only ever sizes a cycle file in whole pages; this one was cut short
                return refused(TailRecovery.Problem.DAMAGED, 0, f + " is " + size + " bytes, not a whole number of pages:"
                        + " the file was cut short", id, durable);
            }
            if (unfinished) {
                // Chronicle would wait out its timeout on it; it holds no records by construction
                Files.delete(f);
                removed.add(f.getFileName().toString());
            }
        }
        Path meta = dir.resolve("metadata.cq4t");
        if (Files.exists(meta)) {
            try {
                CycleFiles.checkStart(meta, "STStore");
            } catch (WalException e) {
                return refused(TailRecovery.Problem.DAMAGED, 0, e.getMessage(), id, durable);
            }
        }
        return null;
    }

    /** The seal file, when it is readable (an unreadable side file proves nothing either way). */
    private List<DurableSeal> sealsAside() {
        Path f = sealFile;
        if (!Files.exists(f)) {
            return List.of();
        }
        try {
            return List.of(DurableSeal.read(f));
        } catch (WalException e) {
            return List.of();
        }
    }

    /**
     * Moves everything in the directory but the lock into DIR/retired-TIME-LOGID/, untouched
     * (a rename each, on the same file system); returns that directory, or null when there was nothing.
     */
    private Path retire(TailRecovery.Problem p) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path target = dir.resolve("retired-" + stamp + "-" + (p.logId == null ? "unknown" : KeyFiles.hex(p.logId)));
        for (int i = 2; Files.exists(target); i++) {
            target = dir.resolve("retired-" + stamp + "-" + (p.logId == null ? "unknown" : KeyFiles.hex(p.logId)) + "-" + i);
        }
        boolean any = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (n.equals(ChainedLog.LOCK_FILE) || n.startsWith("retired-")) {
                    continue;
                }
                if (n.equals(SpaceGuard.BALLAST)) {
                    Files.delete(f); // our own reserve of free space, no evidence
                    continue;
                }
                if (!any) {
                    Files.createDirectory(target);
                    any = true;
                }
                Files.move(f, target.resolve(n), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (!any) {
            return null;
        }
        KeyFiles.syncDirectory(target);
        KeyFiles.syncDirectory(dir);
        return target;
    }

    /** flock(2) of the directory, or -1 when libc is not at hand (then wal.lock alone guards). */
    private static int lockDirectory(Path dir) {
        if (LIBC == null) {
            return -1;
        }
        int fd = LIBC.open(dir.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new WalException("cannot open " + dir + " to lock it");
        }
        if (LIBC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0) {
            int errno = jnr.ffi.Runtime.getRuntime(LIBC).getLastError();
            LIBC.close(fd);
            throw new WalException(errno == EWOULDBLOCK ? "another writer has " + dir + " open"
                    : "cannot lock " + dir + ": " + LIBC.strerror(errno));
        }
        return fd;
    }

    private static void unlockDirectory(int fd) {
        if (fd >= 0) {
            LIBC.close(fd); // closing the only descriptor of the open file description drops the flock
        }
    }
}
