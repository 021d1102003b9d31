package dev.twinlane.wal.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 1000 random tree sizes: roots, inclusion and consistency proofs of the incremental tree (with
 * its subtree cache) equal a naive implementation written here straight from RFC 6962 §2.1
 * (MTH, PATH, PROOF/SUBPROOF), verify, and tampered proofs do not.
 */
class MerkleRandomTest {
    private static final int N = 5000;
    private final List<byte[]> leaves = new ArrayList<>();

    // ---- RFC 6962 §2.1, naive ----
    private static byte[] sha(int prefix, byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((byte) prefix);
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int k(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }

    private byte[] mth(int a, int b) {
        int n = b - a;
        if (n == 0) {
            return sha256Empty();
        }
        if (n == 1) {
            return leaves.get(a);
        }
        int k = k(n);
        return sha(1, mth(a, a + k), mth(a + k, b));
    }

    private static byte[] sha256Empty() {
        try {
            return MessageDigest.getInstance("SHA-256").digest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<byte[]> path(int m, int a, int b) {
        int n = b - a;
        List<byte[]> out = new ArrayList<>();
        if (n == 1) {
            return out;
        }
        int k = k(n);
        if (m < k) {
            out.addAll(path(m, a, a + k));
            out.add(mth(a + k, b));
        } else {
            out.addAll(path(m - k, a + k, b));
            out.add(mth(a, a + k));
        }
        return out;
    }

    private List<byte[]> subproof(int m, int a, int b, boolean flag) {
        int n = b - a;
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!flag) {
                out.add(mth(a, b));
            }
            return out;
        }
        int k = k(n);
        if (m <= k) {
            out.addAll(subproof(m, a, a + k, flag));
            out.add(mth(a + k, b));
        } else {
            out.addAll(subproof(m - k, a + k, b, false));
            out.add(mth(a, a + k));
        }
        return out;
    }

    @Test
    void randomSizesAgainstTheRfcDefinitions() {
        Random rnd = new Random(6962);
        for (int i = 0; i < N; i++) {
            byte[] data = new byte[rnd.nextInt(64)];
            rnd.nextBytes(data);
            leaves.add(MerkleTree.leafHash(data));
        }
        MerkleTree t = new MerkleTree((index, count, dst) -> {
            for (int i = 0; i < count; i++) {
                System.arraycopy(leaves.get((int) index + i), 0, dst, i * 32, 32);
            }
        });
        MerkleTree frontierOnly = new MerkleTree();
        for (byte[] h : leaves) {
            t.append(h, 0);
            frontierOnly.append(h, 0);
        }
        assertArrayEquals(mth(0, N), t.root());
        assertArrayEquals(mth(0, N), frontierOnly.root());
        int tampered = 0;
        for (int trial = 0; trial < 1000; trial++) {
            int n = trial < 20 ? trial + 1 : 1 + rnd.nextInt(N);
            byte[] root = mth(0, n);
            assertArrayEquals(root, t.root(n), "root " + n);

            int idx = rnd.nextInt(n);
            InclusionProof ip = t.inclusionProof(idx, n);
            assertSame(path(idx, 0, n), ip.path(), "PATH(" + idx + ", " + n + ")");
            assertTrue(ip.verify(leaves.get(idx), root), "inclusion " + idx + " in " + n);
            assertFalse(InclusionProof.verify(idx, n, leaves.get((idx + 1) % N), ip.path(), root) && n > 1, "wrong leaf");
            if (!ip.path().isEmpty()) {
                List<byte[]> bad = ip.path();
                int at = rnd.nextInt(bad.size());
                bad.get(at)[rnd.nextInt(32)] ^= (byte) (1 << rnd.nextInt(8));
                assertFalse(InclusionProof.verify(idx, n, leaves.get(idx), bad, root), "flipped bit");
                assertFalse(InclusionProof.verify(idx, n, leaves.get(idx), ip.path().subList(0, ip.path().size() - 1), root), "shortened");
                List<byte[]> longer = new ArrayList<>(ip.path());
                longer.add(root);
                assertFalse(InclusionProof.verify(idx, n, leaves.get(idx), longer, root), "lengthened");
                assertFalse(InclusionProof.verify(idx ^ 1, n, leaves.get(idx), ip.path(), root) && (idx ^ 1) < n, "other index");
                tampered += 4;
            }

            int m = 1 + rnd.nextInt(n);
            byte[] oldRoot = mth(0, m);
            ConsistencyProof cp = t.consistencyProof(m, n);
            List<byte[]> naive = m == n ? List.of() : subproof(m, 0, n, true);
            assertSame(naive, cp.path(), "PROOF(" + m + ", " + n + ")");
            assertTrue(cp.verify(oldRoot, root), "consistency " + m + " -> " + n);
            if (m < n) {
                List<byte[]> bad = cp.path();
                bad.get(rnd.nextInt(bad.size()))[rnd.nextInt(32)] ^= 1;
                assertFalse(ConsistencyProof.verify(m, n, bad, oldRoot, root), "flipped bit");
                byte[] otherOld = oldRoot.clone();
                otherOld[0] ^= 1;
                assertFalse(cp.verify(otherOld, root), "other old root");
                assertFalse(ConsistencyProof.verify(n, m, cp.path(), root, oldRoot), "swapped sizes");
                assertFalse(ConsistencyProof.verify(m, n, cp.path().subList(1, cp.path().size()), oldRoot, root), "shortened");
                tampered += 4;
            }
        }
        assertTrue(tampered > 3000);
    }

    private static void assertSame(List<byte[]> want, List<byte[]> got, String what) {
        assertEquals(want.size(), got.size(), what + " length");
        for (int i = 0; i < want.size(); i++) {
            assertTrue(Arrays.equals(want.get(i), got.get(i)), what + " [" + i + "]");
        }
    }
}
