package dev.twinlane.wal;

import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointException;
import dev.twinlane.wal.proof.CheckpointVerifier;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.LeavesFile;
import dev.twinlane.wal.proof.MerkleTree;
import dev.twinlane.wal.proof.RecordFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The log's RFC 6962 Merkle tree and its checkpoints, kept by one thread of its own
 * ({@code wal-merkle-NAME}), never by the appender or the syncer: the syncer
 * only wakes it when the durable seq moves. It reads the records between the last one hashed
 * and the durable seq from the cycle files (positional reads of the page cache through a 1 MiB
 * window, nothing copied on the append path), hashes each (leaf = SHA-256(0x00 ‖ stored bytes),
 * leaf index = seq - 1), keeps the O(log n) frontier in memory and appends the leaf hashes to
 * DIR/merkle.leaves. When it hashes a SEAL record (durable by construction) it computes the root
 * at that size and, after an fdatasync of the leaves file, writes the signed checkpoint
 * atomically to DIR/checkpoint.latest and hands it to the listener.
 *
 * <p>At start it rebuilds the frontier from the leaves file and checks the file against the log
 * (header and log id, no more leaves than records, the root at checkpoint.latest's size, the
 * last leaf against its record); a file that disagrees is rebuilt from the log, with one warning.
 */
final class MerkleLog {
    static final String CHECKPOINT = "checkpoint.latest";
    private static final System.Logger LOG = System.getLogger("dev.twinlane.wal");
    private static final int WINDOW = 1 << 20;

    private final ChainedLog log;
    private final Path dir;
    private final Path leavesPath;
    private final Path checkpointPath;
    private final byte[] logId;
    private final String origin;
    private final SealKey sealKey;
    private final CheckpointVerifier self;
    private final Consumer<Checkpoint> listener;
    private final int maxDocument;
    private final MessageDigest sha = sha256();
    private final byte[] leaf = new byte[MerkleTree.HASH];
    private final ByteBuffer out = ByteBuffer.allocate(2048 * MerkleTree.HASH);
    private final Thread thread;
    private MerkleTree tree = new MerkleTree();
    private FileChannel leaves;
    /** Leaves written to the file (the tree may be ahead by what is in {@link #out}). */
    private long written;
    private volatile boolean running = true;
    private volatile boolean abandoned;
    private volatile Checkpoint latest;
    private volatile String rebuiltBecause;
    private volatile boolean broken;
    private long expectSize = -1;
    private byte[] expectRoot;
    private long pendingSize;
    private byte[] pendingRoot;

    // the record scanner: current cycle file and the next document's position
    private Path file;
    private FileChannel in;
    private long pos;
    private final byte[] window = new byte[WINDOW];
    private long windowStart = -1;
    private int windowLength;
    private byte[] doc;
    private int docOff;
    private int docLen;
    private long docPos;

    MerkleLog(ChainedLog log, Genesis g, SealKey sealKey, Consumer<Checkpoint> listener, int maxDocument, Runnable setup) {
        this.log = log;
        this.dir = log.directory();
        this.leavesPath = dir.resolve(LeavesFile.NAME);
        this.checkpointPath = dir.resolve(CHECKPOINT);
        this.logId = g.logId().clone();
        this.origin = origin(g);
        this.sealKey = sealKey;
        this.self = sealKey == null ? null : new CheckpointVerifier(origin, sealKey.publicKey(), origin);
        this.listener = listener;
        this.maxDocument = maxDocument;
        this.thread = new Thread(() -> {
            setup.run();
            run();
        }, "wal-merkle-" + log.name());
        thread.setDaemon(true);
        thread.setPriority(Thread.NORM_PRIORITY);
    }

    /** "twinlane/HOST/LOGID": the checkpoint's origin line and the note key name. */
    static String origin(Genesis g) {
        return "twinlane/" + g.hostId().replaceAll("[^A-Za-z0-9._-]", "_") + "/" + g.logIdHex();
    }

    void start() {
        readCheckpoint(); // the latest checkpoint is known from the start
        thread.start();
    }

    /** The durable seq moved (called by the syncer: an unpark, nothing more). */
    void wake() {
        LockSupport.unpark(thread);
    }

    Checkpoint latest() {
        return latest;
    }

    /** Why the leaves file was rebuilt at this start, or null (tests). */
    String rebuiltBecause() {
        return rebuiltBecause;
    }

    long size() {
        return tree.size();
    }

    /** Hashes what is durable, writes the last checkpoint due, stops the thread, closes files. */
    void close() {
        running = false;
        LockSupport.unpark(thread);
        join();
        closeFiles();
    }

    /** Tests: stops as a killed writer would, nothing more hashed or written. */
    void abandon() {
        abandoned = true;
        close();
    }

    private void join() {
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /*
     * Normal priority, not nice 19 as before: a Java thread that is runnable but starved of CPU
     * delays every safepoint of the JVM until it runs to its next poll, and the appender waits
     * at that safepoint with everything else (measured: 20-130 ms with nice 19 under load).
     */
    private void run() {
        try {
            init();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
        while (!abandoned && !broken) {
            long target = log.durableSeq();
            if (target > tree.size()) {
                try {
                    catchUp(target);
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            } else if (!running) {
                break;
            } else {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    private void fail(Exception e) {
        broken = true;
        LOG.log(System.Logger.Level.ERROR, "wal " + log.name() + " " + dir + ": the Merkle tree stopped at seq " + tree.size()
                + " (" + e + "); no more checkpoints until the log is reopened, which rebuilds it");
    }

    private void init() throws IOException {
        leaves = FileChannel.open(leavesPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long bytes = leaves.size();
        String why = null;
        long n = 0;
        if (bytes > 0) {
            byte[] h = new byte[LeavesFile.HEADER];
            ByteBuffer hb = ByteBuffer.wrap(h);
            while (hb.hasRemaining() && leaves.read(hb, hb.position()) > 0) {
                // header
            }
            byte[] id = LeavesFile.logId(h);
            if (hb.hasRemaining() || id == null) {
                why = "not a leaves file";
            } else if (!Arrays.equals(id, logId)) {
                why = "it is of log " + KeyFiles.hex(id);
            } else {
                n = LeavesFile.leaves(bytes);
                if (n > log.appendedSeq()) {
                    why = "it holds " + n + " leaves and the log " + log.appendedSeq() + " records";
                }
            }
        }
        if (why == null && n > 0) {
            why = load(n);
        }
        if (why == null && n > 0) {
            seek(n);
            if (!next() || RecordFormat.seq(doc, docOff) != n) {
                why = "record seq " + n + " is not in the log";
            } else if (!Arrays.equals(hash(), lastLeaf)) {
                why = "the leaf of seq " + n + " is not the hash of that record";
            }
        }
        if (why != null) {
            LOG.log(System.Logger.Level.WARNING, "wal " + log.name() + " " + dir + ": " + leavesPath.getFileName()
                    + " disagrees with the log (" + why + "); rebuilding it from the log's records");
            rebuiltBecause = why;
            tree = new MerkleTree();
            n = 0;
            closeScanner();
            if (expectSize >= 0) {
                readCheckpoint(); // expectations again, for the rebuilt tree
            }
        }
        if (n == 0) {
            leaves.truncate(0);
            writeFully(ByteBuffer.wrap(LeavesFile.header(logId)), 0);
        } else if (LeavesFile.HEADER + n * MerkleTree.HASH != bytes) {
            leaves.truncate(LeavesFile.HEADER + n * MerkleTree.HASH); // a torn last leaf
        }
        written = n;
        if (n == 0) {
            seek(1);
        }
    }

    private byte[] lastLeaf;

    /** Streams the leaves file into the frontier; null, or why it disagrees with checkpoint.latest. */
    private String load(long n) throws IOException {
        String[] why = new String[1];
        long read = LeavesFile.stream(leaves, n, (buf, off) -> {
            tree.append(buf, off);
            if (tree.size() == n) {
                lastLeaf = Arrays.copyOfRange(buf, off, off + MerkleTree.HASH);
            }
            if (tree.size() == expectSize && !Arrays.equals(tree.root(), expectRoot)) {
                why[0] = "its root at size " + expectSize + " is not the one " + CHECKPOINT + " signed";
                return false;
            }
            return true;
        });
        return why[0] != null ? why[0] : read != n ? "it ends early" : null;
    }

    private void readCheckpoint() {
        expectSize = -1;
        if (self == null || !Files.exists(checkpointPath)) {
            return;
        }
        try {
            Checkpoint c = self.verify(Files.readString(checkpointPath, StandardCharsets.UTF_8));
            latest = c;
            expectSize = c.size();
            expectRoot = c.rootHash();
        } catch (IOException | CheckpointException e) {
            LOG.log(System.Logger.Level.WARNING, "wal " + log.name() + " " + dir + ": ignoring " + checkpointPath + ": " + e.getMessage());
        }
    }

    /** Hashes records up to {@code target} (durable), appends their leaves, writes the checkpoint due. */
    private void catchUp(long target) throws IOException {
        while (tree.size() < target && !abandoned) {
            if (!next()) {
                throw new WalException("record seq " + (tree.size() + 1) + " (durable) is not in the cycle files after "
                        + file + " offset " + pos);
            }
            long seq = RecordFormat.seq(doc, docOff);
            if (seq != tree.size() + 1) {
                throw new WalException("found seq " + seq + " where seq " + (tree.size() + 1) + " should be (" + file
                        + " offset " + docPos + ")");
            }
            hashInto(leaf);
            tree.append(leaf, 0);
            out.put(leaf);
            if (!out.hasRemaining()) {
                flush();
            }
            if (RecordFormat.kind(doc, docOff) == Kinds.SEAL) {
                pendingSize = seq;
                pendingRoot = tree.root();
            }
            if (seq == expectSize && !Arrays.equals(tree.root(), expectRoot)) {
                LOG.log(System.Logger.Level.ERROR, "wal " + log.name() + " " + dir + ": the log's records up to seq " + seq
                        + " do not give the root that " + CHECKPOINT + " signed: the log is not the one checkpointed");
            }
        }
        flush();
        if (pendingSize > 0 && !abandoned) {
            leaves.force(false);
            writeCheckpoint(pendingSize, pendingRoot);
            pendingSize = 0;
        }
    }

    private void flush() throws IOException {
        if (out.position() == 0) {
            return;
        }
        out.flip();
        int count = out.remaining() / MerkleTree.HASH;
        writeFully(out, LeavesFile.HEADER + written * MerkleTree.HASH);
        written += count;
        out.clear();
    }

    private void writeFully(ByteBuffer b, long at) throws IOException {
        long p = at;
        while (b.hasRemaining()) {
            p += leaves.write(b, p);
        }
    }

    private void writeCheckpoint(long size, byte[] root) throws IOException {
        if (sealKey == null) {
            return;
        }
        String text = Checkpoint.text(origin, size, root, List.of());
        byte[] sig = new byte[64];
        sealKey.sign(text.getBytes(StandardCharsets.UTF_8), sig, 0);
        String note = Checkpoint.signedNote(text, origin, sealKey.publicKey(), sig);
        KeyFiles.writeAtomically(checkpointPath, note.getBytes(StandardCharsets.UTF_8), false);
        Checkpoint c = self.verify(note);
        latest = c;
        if (listener != null) {
            try {
                listener.accept(c);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "wal " + log.name() + ": checkpoint listener failed: " + e);
            }
        }
    }

    private byte[] hash() {
        byte[] h = new byte[MerkleTree.HASH];
        hashInto(h);
        return h;
    }

    private void hashInto(byte[] dst) {
        sha.update((byte) 0);
        sha.update(doc, docOff, docLen);
        try {
            sha.digest(dst, 0, MerkleTree.HASH);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the scanner ----

    /** Positions the scanner so that {@link #next()} returns record {@code seq}. */
    private void seek(long seq) throws IOException {
        closeScanner();
        DurableSeal hint = null;
        for (DurableSeal s : log.durableSealsSnapshot()) {
            if (s.recordFile != null && s.recordSeq <= seq && s.recordOffset >= 0 && Files.exists(dir.resolve(s.recordFile))
                    && (hint == null || s.recordSeq > hint.recordSeq)) {
                hint = s;
            }
        }
        List<Path> files = CycleFiles.list(dir);
        if (hint != null) {
            open(dir.resolve(hint.recordFile), hint.recordOffset);
        } else {
            Path start = files.isEmpty() ? null : files.get(0);
            for (int i = files.size() - 1; i > 0; i--) {
                open(files.get(i), 0);
                if (next() && RecordFormat.seq(doc, docOff) <= seq) {
                    start = files.get(i);
                    break;
                }
            }
            closeScanner();
            if (start == null) {
                return;
            }
            open(start, 0);
        }
        while (next()) {
            long s = RecordFormat.seq(doc, docOff);
            if (s >= seq) {
                pos = docPos; // read it again
                return;
            }
        }
    }

    private void open(Path f, long at) throws IOException {
        closeScanner();
        file = f;
        in = FileChannel.open(f, StandardOpenOption.READ);
        pos = at;
    }

    /** The next data document into doc/docOff/docLen; false when there is none (yet). */
    private boolean next() throws IOException {
        while (in != null) {
            pos = (pos + 3) & ~3L;
            int h = header(pos);
            if (h == 0) {
                windowStart = -1; // the window may be older than the write: read again
                h = header(pos);
            }
            if (h == 0 || h == CycleFiles.END_OF_DATA || (h & CycleFiles.NOT_COMPLETE) != 0) {
                if (!nextFile()) {
                    return false;
                }
                continue;
            }
            int len = h & CycleFiles.LENGTH_MASK;
            if ((h & CycleFiles.META_DATA) != 0) {
                pos += 4 + len;
                continue;
            }
            if (len > maxDocument || len < RecordFormat.OVERHEAD) {
                throw new WalException(file.getFileName() + ": a record of " + len + " bytes at offset " + pos);
            }
            load(pos + 4, len);
            docLen = len;
            docPos = pos;
            pos += 4 + len;
            return true;
        }
        return false;
    }

    private boolean nextFile() throws IOException {
        String name = file.getFileName().toString();
        for (Path f : CycleFiles.list(dir)) {
            if (f.getFileName().toString().compareTo(name) > 0) {
                open(f, 0);
                return true;
            }
        }
        return false;
    }

    private int header(long at) throws IOException {
        if (!inWindow(at, 4) && !fill(at, 4)) {
            return 0;
        }
        int o = (int) (at - windowStart);
        return (window[o] & 0xFF) | (window[o + 1] & 0xFF) << 8 | (window[o + 2] & 0xFF) << 16 | (window[o + 3] & 0xFF) << 24;
    }

    private void load(long at, int len) throws IOException {
        if (len > WINDOW / 2) {
            byte[] b = new byte[len];
            ByteBuffer bb = ByteBuffer.wrap(b);
            while (bb.hasRemaining()) {
                if (in.read(bb, at + bb.position()) < 0) {
                    throw new WalException(file.getFileName() + ": ends within the record at " + at);
                }
            }
            doc = b;
            docOff = 0;
            return;
        }
        if (!inWindow(at, len) && !fill(at, len)) {
            throw new WalException(file.getFileName() + ": ends within the record at " + at);
        }
        doc = window;
        docOff = (int) (at - windowStart);
    }

    private boolean inWindow(long at, int len) {
        return windowStart >= 0 && at >= windowStart && at + len <= windowStart + windowLength;
    }

    /** Reads the window at {@code at}; false when the file has fewer than {@code len} bytes there. */
    private boolean fill(long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(window);
        windowStart = at;
        while (b.hasRemaining()) {
            int n = in.read(b, at + b.position());
            if (n <= 0) {
                break;
            }
        }
        windowLength = b.position();
        return windowLength >= len;
    }

    private void closeScanner() {
        windowStart = -1;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // a read channel
            }
            in = null;
        }
    }

    private void closeFiles() {
        closeScanner();
        try {
            if (leaves != null) {
                leaves.close();
            }
        } catch (IOException e) {
            // flushed and forced before each checkpoint; nothing else to lose (rebuilt from the log)
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
