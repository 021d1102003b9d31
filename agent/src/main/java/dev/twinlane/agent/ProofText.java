package dev.twinlane.agent;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointException;
import dev.twinlane.wal.proof.CheckpointVerifier;
import dev.twinlane.wal.proof.ConsistencyProof;
import dev.twinlane.wal.proof.InclusionProof;

/**
 * The text form of a proof, what `twinlane prove` prints and `twinlane check-proof` reads: a
 * first line naming the kind, "name value" lines, the proof's hashes (base64, one per line, in
 * RFC 9162 order), then each checkpoint's signed note verbatim after a line naming it:
 *
 * <pre>
 * twinlane-proof inclusion v1        twinlane-proof consistency v1
 * seq 42                             old-size 600
 * tree-size 1000                     new-size 1000
 * leaf-hash BASE64                   hash BASE64
 * hash BASE64                        ...
 * ...                                old-checkpoint
 * checkpoint                         SIGNED NOTE
 * SIGNED NOTE                        new-checkpoint
 *                                    SIGNED NOTE
 * </pre>
 *
 * The leaf index is seq - 1 and is not written separately, so a proof edited to another seq fails.
 */
final class ProofText {
    static final String INCLUSION = "twinlane-proof inclusion v1";
    static final String CONSISTENCY = "twinlane-proof consistency v1";

    private ProofText() {
    }

    static String inclusion(long seq, InclusionProof p, byte[] leafHash, Checkpoint c) {
        StringBuilder b = new StringBuilder(INCLUSION).append('\n');
        b.append("seq ").append(seq).append('\n');
        b.append("tree-size ").append(p.treeSize()).append('\n');
        b.append("leaf-hash ").append(b64(leafHash)).append('\n');
        hashes(b, p.path());
        return b.append("checkpoint\n").append(c.note()).toString();
    }

    static String consistency(ConsistencyProof p, Checkpoint oldC, Checkpoint newC) {
        StringBuilder b = new StringBuilder(CONSISTENCY).append('\n');
        b.append("old-size ").append(p.oldSize()).append('\n');
        b.append("new-size ").append(p.newSize()).append('\n');
        hashes(b, p.path());
        b.append("old-checkpoint\n").append(oldC.note());
        return b.append("new-checkpoint\n").append(newC.note()).toString();
    }

    /** Checks a proof in text form with the seal public key alone; a line saying what it proved, or ProofException. */
    static String check(String text, byte[] publicKey) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.isEmpty() || !(lines.get(0).equals(INCLUSION) || lines.get(0).equals(CONSISTENCY))) {
            throw new ProofException("not a twinlane proof (the first line is neither '" + INCLUSION + "' nor '" + CONSISTENCY + "')");
        }
        return lines.get(0).equals(INCLUSION) ? checkInclusion(text, publicKey) : checkConsistency(text, publicKey);
    }

    private static String checkInclusion(String text, byte[] publicKey) {
        String[] parts = split(text, "\ncheckpoint\n", null);
        Fields f = new Fields(parts[0]);
        long seq = f.number("seq");
        long size = f.number("tree-size");
        byte[] leaf = f.hash("leaf-hash");
        Checkpoint c = verify(parts[1], publicKey);
        if (c.size() != size) {
            throw new ProofException("the proof is for a tree of " + size + " records, the checkpoint's has " + c.size());
        }
        if (seq < 1 || seq > size) {
            throw new ProofException("seq " + seq + " is not in a tree of " + size + " records");
        }
        if (!InclusionProof.verify(seq - 1, size, leaf, f.hashes, c.rootHash())) {
            throw new ProofException("the inclusion proof of seq " + seq + " does not lead to the checkpoint's root");
        }
        return "OK: record seq " + seq + " (leaf hash " + b64(leaf) + ") is in " + c.origin() + " at tree size " + size;
    }

    private static String checkConsistency(String text, byte[] publicKey) {
        String[] parts = split(text, "\nold-checkpoint\n", "new-checkpoint\n");
        Fields f = new Fields(parts[0]);
        long oldSize = f.number("old-size");
        long newSize = f.number("new-size");
        Checkpoint o = verify(parts[1], publicKey);
        Checkpoint n = verify(parts[2], publicKey);
        if (!o.origin().equals(n.origin())) {
            throw new ProofException("the checkpoints are of two logs: '" + o.origin() + "' and '" + n.origin() + "'");
        }
        if (o.size() != oldSize || n.size() != newSize) {
            throw new ProofException("the proof is for sizes " + oldSize + " and " + newSize + ", the checkpoints have "
                    + o.size() + " and " + n.size());
        }
        if (!ConsistencyProof.verify(oldSize, newSize, f.hashes, o.rootHash(), n.rootHash())) {
            throw new ProofException("the tree of " + newSize + " records is not proven to extend the tree of " + oldSize);
        }
        return "OK: " + n.origin() + " at tree size " + newSize + " extends tree size " + oldSize;
    }

    /** The note's checkpoint if the key signed it; the key name is the note's origin (as the agent signs). */
    private static Checkpoint verify(String note, byte[] publicKey) {
        try {
            String origin = note.substring(0, Math.max(0, note.indexOf('\n')));
            return new CheckpointVerifier(origin, publicKey, null).verify(note);
        } catch (CheckpointException | IllegalArgumentException e) {
            throw new ProofException("checkpoint refused: " + e.getMessage());
        }
    }

    /** The head, then the note after {@code marker} (up to {@code second}, then the rest). */
    private static String[] split(String text, String marker, String second) {
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new ProofException("the proof has no '" + marker.trim() + "' line");
        }
        String head = text.substring(0, at + 1);
        String rest = text.substring(at + marker.length());
        if (second == null) {
            return new String[]{head, rest};
        }
        int s = rest.indexOf("\n" + second);
        if (s < 0) {
            throw new ProofException("the proof has no '" + second.trim() + "' line");
        }
        return new String[]{head, rest.substring(0, s + 1), rest.substring(s + 1 + second.length())};
    }

    private static String b64(byte[] h) {
        return Base64.getEncoder().encodeToString(h);
    }

    private static void hashes(StringBuilder b, List<byte[]> path) {
        for (byte[] h : path) {
            b.append("hash ").append(b64(h)).append('\n');
        }
    }

    /** The "name value" lines after the first line, in the order written. */
    private static final class Fields {
        private final List<String[]> named = new ArrayList<>();
        final List<byte[]> hashes = new ArrayList<>();

        Fields(String head) {
            String[] lines = head.split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] nv = lines[i].split(" ", 2);
                if (nv.length != 2) {
                    throw new ProofException("line " + (i + 1) + " of the proof is not 'name value': '" + lines[i] + "'");
                }
                if (nv[0].equals("hash")) {
                    hashes.add(decodeHash(nv[1], "hash on line " + (i + 1)));
                } else {
                    named.add(nv);
                }
            }
        }

        private String value(String name) {
            for (String[] nv : named) {
                if (nv[0].equals(name)) {
                    return nv[1];
                }
            }
            throw new ProofException("the proof has no '" + name + "' line");
        }

        long number(String name) {
            String v = value(name);
            if (!v.matches("[0-9]{1,18}")) {
                throw new ProofException(name + " is not a number: '" + v + "'");
            }
            return Long.parseLong(v);
        }

        byte[] hash(String name) {
            return decodeHash(value(name), name);
        }
    }

    private static byte[] decodeHash(String v, String what) {
        try {
            byte[] h = Base64.getDecoder().decode(v);
            if (h.length == 32) {
                return h;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        throw new ProofException(what + " is not the base64 of a 32-byte hash");
    }

    /** A proof that does not check out, in one line. */
    static final class ProofException extends RuntimeException {
        ProofException(String message) {
            super(message);
        }
    }
}
