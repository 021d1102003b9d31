package dev.twinlane.wal.proof;

import java.security.MessageDigest;
import java.util.List;

/**
 * That the tree of {@code newSize} leaves extends the tree of {@code oldSize} leaves: RFC 9162
 * §2.1.4.1 PROOF(m, D[n]), checked with the algorithm of §2.1.4.2. A log truncated and re-signed
 * (even with the real key) cannot produce one from a checkpoint it had signed before.
 */
public final class ConsistencyProof {
    private final long oldSize;
    private final long newSize;
    private final List<byte[]> path;

    public ConsistencyProof(long oldSize, long newSize, List<byte[]> path) {
        this.oldSize = oldSize;
        this.newSize = newSize;
        this.path = InclusionProof.copy(path);
    }

    public long oldSize() {
        return oldSize;
    }

    public long newSize() {
        return newSize;
    }

    public List<byte[]> path() {
        return InclusionProof.copy(path);
    }

    public boolean verify(byte[] oldRoot, byte[] newRoot) {
        return verify(oldSize, newSize, path, oldRoot, newRoot);
    }

    /**
     * RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal roots; a proof from the empty
     * tree proves nothing and is refused (as transparency-dev/merkle does); a smaller new size is refused.
     */
    public static boolean verify(long first, long second, List<byte[]> path, byte[] firstHash, byte[] secondHash) {
        if (path == null || firstHash == null || secondHash == null || first <= 0 || second < first) {
            return false;
        }
        if (first == second) {
            return path.isEmpty() && MessageDigest.isEqual(firstHash, secondHash);
        }
        if (!InclusionProof.isHash(firstHash) || !InclusionProof.isHash(secondHash)) {
            return false;
        }
        if (path.isEmpty()) {
            return false;
        }
        for (byte[] p : path) {
            if (!InclusionProof.isHash(p)) {
                return false;
            }
        }
        int i = 0;
        byte[] c0;
        if (Long.bitCount(first) == 1) {
            c0 = firstHash; // step 1: prepend first_hash
        } else {
            c0 = path.get(i++);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = c0.clone();
        byte[] sr = c0.clone();
        for (; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleTree.nodeHash(c, fr);
                sr = MerkleTree.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstHash) && MessageDigest.isEqual(sr, secondHash);
    }
}
