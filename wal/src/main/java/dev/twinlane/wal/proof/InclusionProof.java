package dev.twinlane.wal.proof;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * That leaf {@code index} is in the tree of {@code treeSize} leaves: the audit path of RFC 9162
 * §2.1.3.1, checked with the algorithm of §2.1.3.2. Leaf index = record seq - 1.
 */
public final class InclusionProof {
    private final long index;
    private final long treeSize;
    private final List<byte[]> path;

    public InclusionProof(long index, long treeSize, List<byte[]> path) {
        this.index = index;
        this.treeSize = treeSize;
        this.path = copy(path);
    }

    public long index() {
        return index;
    }

    public long treeSize() {
        return treeSize;
    }

    public List<byte[]> path() {
        return copy(path);
    }

    /** Whether {@code leafHash} at this index and this path give {@code root} (RFC 9162 §2.1.3.2). */
    public boolean verify(byte[] leafHash, byte[] root) {
        return verify(index, treeSize, leafHash, path, root);
    }

    /** RFC 9162 §2.1.3.2, as written there. */
    public static boolean verify(long index, long treeSize, byte[] leafHash, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= treeSize || !isHash(leafHash) || !isHash(root) || path == null) {
            return false;
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash.clone();
        for (byte[] p : path) {
            if (!isHash(p) || sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleTree.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = MerkleTree.nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    static boolean isHash(byte[] h) {
        return h != null && h.length == MerkleTree.HASH;
    }

    static List<byte[]> copy(List<byte[]> l) {
        List<byte[]> c = new ArrayList<>(l.size());
        for (byte[] h : l) {
            c.add(h == null ? null : h.clone());
        }
        return c;
    }
}
