package dev.twinlane.wal.proof;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only RFC 6962 (RFC 9162 §2.1) Merkle tree over leaf hashes:
 * leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right).
 *
 * <p>For the root it keeps only the frontier, one hash per set bit of the size (O(log n)),
 * and appends without allocating. For proofs it needs its leaf hashes ({@link Leaves}) and
 * keeps every complete subtree of 2^8 leaves or more as it completes (32 bytes per 128 leaves),
 * so any subtree hash costs at most one read of 256 leaves and 255 node hashes: a proof at
 * 10 M leaves touches O(log n) cached nodes. Not thread-safe.
 */
public final class MerkleTree {
    public static final int HASH = 32;
    /** Complete subtrees of 2^CACHE_LEVEL leaves and up are kept (proof mode). */
    static final int CACHE_LEVEL = 8;
    private static final byte[] EMPTY = sha256().digest();

    /** Where the leaf hashes are, for proofs. */
    public interface Leaves {
        /** Copies leaf hashes {@code [index, index + count)} into {@code dst} from offset 0. */
        void read(long index, int count, byte[] dst);
    }

    private final MessageDigest sha = sha256();
    private final byte[][] frontier = new byte[64][HASH];
    private final byte[] cur = new byte[HASH];
    private long size;
    private final Leaves leaves;
    /** cache.get(l - CACHE_LEVEL): complete subtree hashes of level l, in order. */
    private final List<HashArray> cache;

    /** A tree that computes roots only (the writer's). */
    public MerkleTree() {
        this.leaves = null;
        this.cache = null;
    }

    /** A tree that can also prove: its leaf hashes are in {@code leaves}. */
    public MerkleTree(Leaves leaves) {
        this.leaves = leaves;
        this.cache = new ArrayList<>();
    }

    public long size() {
        return size;
    }

    /** Appends one leaf hash (32 bytes at {@code off}). */
    public void append(byte[] leafHash, int off) {
        System.arraycopy(leafHash, off, cur, 0, HASH);
        int level = 0;
        long s = size;
        while ((s & 1) == 1) {
            sha.update((byte) 1);
            sha.update(frontier[level]);
            sha.update(cur);
            digestInto(cur);
            level++;
            s >>>= 1;
            if (cache != null && level >= CACHE_LEVEL) {
                while (cache.size() <= level - CACHE_LEVEL) {
                    cache.add(new HashArray());
                }
                cache.get(level - CACHE_LEVEL).add(cur);
            }
        }
        System.arraycopy(cur, 0, frontier[level], 0, HASH);
        size++;
    }

    /** The root hash of the whole tree (SHA-256 of nothing when empty). */
    public byte[] root() {
        if (size == 0) {
            return EMPTY.clone();
        }
        int low = Long.numberOfTrailingZeros(size);
        byte[] r = frontier[low].clone();
        for (int l = low + 1; l < 64; l++) {
            if ((size >>> l & 1) == 1) {
                sha.update((byte) 1);
                sha.update(frontier[l]);
                sha.update(r);
                digestInto(r);
            }
        }
        return r;
    }

    /** The root of the tree of the first {@code n} leaves, n ≤ size (needs the leaves). */
    public byte[] root(long n) {
        check(n <= size, "tree size " + n + " is beyond the tree's " + size);
        if (n == size) {
            return root();
        }
        return n == 0 ? EMPTY.clone() : range(0, n);
    }

    /** RFC 9162 §2.1.3.1 PATH(index, D[n]): the inclusion proof of leaf {@code index} in the tree of size {@code n}. */
    public InclusionProof inclusionProof(long index, long n) {
        check(n <= size && index >= 0 && index < n, "no leaf " + index + " in a tree of size " + n + " (tree has " + size + ")");
        List<byte[]> path = new ArrayList<>();
        path(index, 0, n, path);
        return new InclusionProof(index, n, path);
    }

    /** RFC 9162 §2.1.4.1 PROOF(m, D[n]): the consistency proof from size {@code m} to size {@code n}. */
    public ConsistencyProof consistencyProof(long m, long n) {
        check(n <= size && m >= 0 && m <= n, "no consistency proof from size " + m + " to " + n + " (tree has " + size + ")");
        List<byte[]> p = new ArrayList<>();
        if (m > 0 && m < n) {
            subproof(m, 0, n, true, p);
        }
        return new ConsistencyProof(m, n, p);
    }

    /** The leaf hash at {@code index}. */
    public byte[] leafHash(long index) {
        check(index >= 0 && index < size, "no leaf " + index);
        byte[] b = new byte[HASH];
        leaves().read(index, 1, b);
        return b;
    }

    private void path(long m, long a, long b, List<byte[]> out) {
        if (b - a == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(b - a);
        if (m < k) {
            path(m, a, a + k, out);
            out.add(range(a + k, b));
        } else {
            path(m - k, a + k, b, out);
            out.add(range(a, a + k));
        }
    }

    private void subproof(long m, long a, long b, boolean complete, List<byte[]> out) {
        long n = b - a;
        if (m == n) {
            if (!complete) {
                out.add(range(a, b));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(m, a, a + k, complete, out);
            out.add(range(a + k, b));
        } else {
            subproof(m - k, a + k, b, false, out);
            out.add(range(a, a + k));
        }
    }

    /** MTH(D[a:b]), b > a, within the tree. */
    private byte[] range(long a, long b) {
        long n = b - a;
        if (Long.bitCount(n) == 1 && (a & (n - 1)) == 0) {
            return subtree(a, Long.numberOfTrailingZeros(n));
        }
        long k = largestPowerOfTwoBelow(n);
        byte[] l = range(a, a + k);
        byte[] r = range(a + k, b);
        return node(l, r);
    }

    /** The complete subtree of 2^level leaves starting at leaf {@code a} (aligned). */
    private byte[] subtree(long a, int level) {
        if (level >= CACHE_LEVEL) {
            HashArray h = level - CACHE_LEVEL < cache.size() ? cache.get(level - CACHE_LEVEL) : null;
            long i = a >>> level;
            if (h != null && i < h.count) {
                return h.get(i);
            }
            // not complete within the tree yet (cannot happen for ranges inside it); compute
            return node(subtree(a, level - 1), subtree(a + (1L << (level - 1)), level - 1));
        }
        int count = 1 << level;
        byte[] buf = new byte[count * HASH];
        leaves().read(a, count, buf);
        for (int w = count; w > 1; w >>= 1) {
            for (int i = 0; i < w / 2; i++) {
                sha.update((byte) 1);
                sha.update(buf, 2 * i * HASH, 2 * HASH);
                digestInto(buf, i * HASH);
            }
        }
        return Arrays.copyOf(buf, HASH);
    }

    private Leaves leaves() {
        if (leaves == null) {
            throw new IllegalStateException("this tree keeps no leaves (roots only)");
        }
        return leaves;
    }

    private byte[] node(byte[] l, byte[] r) {
        sha.update((byte) 1);
        sha.update(l);
        sha.update(r);
        return sha.digest();
    }

    private void digestInto(byte[] dst) {
        digestInto(dst, 0);
    }

    private void digestInto(byte[] dst, int off) {
        try {
            sha.digest(dst, off, HASH);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }

    /** SHA-256(0x00 ‖ data[off, off+len)). */
    public static byte[] leafHash(byte[] data, int off, int len) {
        MessageDigest d = sha256();
        d.update((byte) 0);
        d.update(data, off, len);
        return d.digest();
    }

    public static byte[] leafHash(byte[] data) {
        return leafHash(data, 0, data.length);
    }

    /** SHA-256(0x01 ‖ left ‖ right). */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest d = sha256();
        d.update((byte) 1);
        d.update(left);
        d.update(right);
        return d.digest();
    }

    /** The root of the empty tree, SHA-256 of nothing. */
    public static byte[] emptyRoot() {
        return EMPTY.clone();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A growable array of 32-byte hashes in one byte[]. */
    private static final class HashArray {
        byte[] data = new byte[64 * HASH];
        long count;

        void add(byte[] h) {
            if ((count + 1) * HASH > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            System.arraycopy(h, 0, data, (int) (count * HASH), HASH);
            count++;
        }

        byte[] get(long i) {
            return Arrays.copyOfRange(data, (int) (i * HASH), (int) ((i + 1) * HASH));
        }
    }
}
