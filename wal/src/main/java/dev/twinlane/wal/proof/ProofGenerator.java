package dev.twinlane.wal.proof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Inclusion and consistency proofs over a log directory, read-only, from its leaves file
 * (DIR/merkle.leaves, see {@link LeavesFile}); needs no key. Opening reads every leaf once to
 * rebuild the cached subtrees (one node hash per leaf); each proof then costs O(log n) cached
 * nodes plus at most a few reads of 256 leaves. Safe to use while the writer appends (it reads
 * the leaves that were there when it opened). Not thread-safe.
 */
public final class ProofGenerator implements AutoCloseable {
    private final FileChannel ch;
    private final MerkleTree tree;
    private final byte[] logId;

    private ProofGenerator(FileChannel ch, MerkleTree tree, byte[] logId) {
        this.ch = ch;
        this.tree = tree;
        this.logId = logId;
    }

    /** Over every whole leaf in DIR/merkle.leaves. */
    public static ProofGenerator open(Path dir) throws IOException {
        return open(dir, Long.MAX_VALUE);
    }

    /** Over the first {@code maxSize} leaves (e.g. a checkpoint's size). */
    public static ProofGenerator open(Path dir, long maxSize) throws IOException {
        Path f = dir.resolve(LeavesFile.NAME);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
        try {
            ByteBuffer h = ByteBuffer.allocate(LeavesFile.HEADER);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                // read the header
            }
            byte[] id = LeavesFile.logId(h.array());
            if (h.hasRemaining() || id == null) {
                throw new IOException(f + " is not a twinlane leaves file");
            }
            long n = Math.min(maxSize, LeavesFile.leaves(ch.size()));
            MerkleTree tree = new MerkleTree(LeavesFile.reader(ch));
            if (LeavesFile.stream(ch, n, (buf, off) -> {
                tree.append(buf, off);
                return true;
            }) != n) {
                throw new IOException(f + " ends before leaf " + n);
            }
            return new ProofGenerator(ch, tree, id);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Takes in the leaves written since (up to {@code maxSize} in all), so a long-lived generator
     * follows the log at the cost of the new leaves only; returns the new size.
     */
    public long extend(long maxSize) throws IOException {
        long have = tree.size();
        long n = Math.min(maxSize, LeavesFile.leaves(ch.size()));
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(0, n - have) * MerkleTree.HASH));
        while (tree.size() < n) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), (n - tree.size()) * MerkleTree.HASH));
            long at = LeavesFile.HEADER + tree.size() * MerkleTree.HASH;
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) < 0) {
                    return tree.size();
                }
            }
            for (int o = 0; o < b.limit(); o += MerkleTree.HASH) {
                tree.append(b.array(), o);
            }
        }
        return tree.size();
    }

    /** Leaves available (records seq 1..size). */
    public long size() {
        return tree.size();
    }

    public byte[] logId() {
        return logId.clone();
    }

    public byte[] root(long treeSize) {
        return tree.root(treeSize);
    }

    public byte[] leafHash(long leafIndex) {
        return tree.leafHash(leafIndex);
    }

    /** That record {@code seq} (leaf seq - 1) is in the tree of {@code treeSize} leaves. */
    public InclusionProof inclusion(long seq, long treeSize) {
        return tree.inclusionProof(seq - 1, treeSize);
    }

    /** That the tree of {@code newSize} leaves extends the one of {@code oldSize}. */
    public ConsistencyProof consistency(long oldSize, long newSize) {
        return tree.consistencyProof(oldSize, newSize);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
