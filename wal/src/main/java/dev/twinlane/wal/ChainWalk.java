package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.twinlane.wal.ChainVerifier.Docs;
import dev.twinlane.wal.ChainVerifier.Failure;
import dev.twinlane.wal.ChainVerifier.Report;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/** One run of {@link ChainVerifier#verify} over a log directory: the walk from the genesis, and naming the first failure. */
final class ChainWalk {
    private static final int RECOVERY_LOOKAHEAD = 1_000_000;
    private static final int EPOCH_SEARCH = 100_000;
    private final KeyRing ring;
    private final byte[] sealPublicKey;
    private final Path dir;
    private final DurableSeal external;
    private final Map<Integer, Long> counts = new HashMap<>();
    private final Map<Integer, Long> gapLost = new HashMap<>();
    private List<Path> files;
    private ChainState state;
    private long lastSealSeq;
    private long torn;
    private byte[] macAtExternal;

    ChainWalk(KeyRing ring, byte[] sealPublicKey, Path dir, DurableSeal external) {
        this.ring = ring;
        this.sealPublicKey = sealPublicKey;
        this.dir = dir;
        this.external = external;
    }

    Report run() throws IOException {
        if (!Files.isDirectory(dir)) {
            return fail(Failure.UNREADABLE, 0, dir + " is not a directory");
        }
        files = CycleFiles.list(dir);
        if (files.isEmpty()) {
            return fail(Failure.UNREADABLE, 0, "no Chronicle Queue cycle files (*.cq4) in " + dir);
        }
        for (Path f : files) {
            try {
                CycleFiles.checkStart(f, "SCQStore");
            } catch (WalException e) {
                return fail(Failure.UNREADABLE, 0, e.getMessage());
            }
        }
        try (Docs docs = new Docs(files, 0, 0)) {
            return walk(docs);
        } catch (WalException e) {
            long at = state == null ? 0 : state.expectSeq();
            return fail(Failure.UNREADABLE, at, e.getMessage());
        }
    }

    private Report walk(Docs docs) throws IOException {
        CycleFiles.Doc first = docs.next();
        if (first == null) {
            return fail(Failure.UNREADABLE, 0, "no records in " + dir);
        }
        Report bad = startChain(first.bytes);
        if (bad != null) {
            return bad;
        }
        int fileIndex = docs.fileIndex();
        long offset = docs.offset();
        while (true) {
            try (Docs rest = new Docs(files, fileIndex, offset)) {
                while (true) {
                    fileIndex = rest.fileIndex();
                    offset = rest.offset();
                    CycleFiles.Doc d = rest.next();
                    if (d == null) {
                        return finish();
                    }
                    String why = state.accept(d.bytes);
                    if (why == null) {
                        accepted(d.bytes);
                        continue;
                    }
                    long after = recoverySkip(fileIndex, offset);
                    if (after < 0) {
                        return classify(d.bytes, why, fileIndex, offset);
                    }
                    fileIndex = (int) (after >>> 40);
                    offset = after & ((1L << 40) - 1);
                    break; // resume after the RECOVERY record
                }
            }
        }
    }

    private Report startChain(byte[] first) throws IOException {
        String[] why = new String[1];
        state = ChainState.fromGenesis(first, ring, why);
        if (state == null) {
            if (StoredRecord.wellFormed(first) && StoredRecord.seq(first) > 1) {
                boolean later = findSeq(1, 0, 0) != null;
                return fail(later ? Failure.REORDERED : Failure.MISSING, 1,
                        later ? "the GENESIS record is not first" : "the GENESIS record is gone");
            }
            if (StoredRecord.wellFormed(first) && StoredRecord.seq(first) == 1) {
                return fail(Failure.MODIFIED, 1, why[0]);
            }
            return fail(Failure.UNREADABLE, 0, "the first record is not a twinlane-wal GENESIS record");
        }
        if ("wrong-key".equals(why[0])) {
            return fail(Failure.WRONG_KEY, 1, "GENESIS names key " + KeyRing.idHex(StoredRecord.keyId(first))
                    + ", which is not in the key file(s)");
        }
        if (why[0] != null) {
            return fail(Failure.MODIFIED, 1, why[0]);
        }
        if (sealPublicKey != null && state.genesis.sealed()
                && !Arrays.equals(sealPublicKey, state.genesis.sealPublicKey())) {
            return fail(Failure.WRONG_KEY, 1, "the log's GENESIS names another seal public key than the one given");
        }
        accepted(first);
        return null;
    }

    private void accepted(byte[] d) {
        int kind = StoredRecord.kind(d);
        counts.merge(kind, 1L, Long::sum);
        long seq = StoredRecord.seq(d);
        if (kind == Kinds.SEAL) {
            lastSealSeq = seq;
        } else if (kind == Kinds.GAP && StoredRecord.payloadLength(d) == 32) {
            gapLost.merge(RecordFormat.getInt(d, RecordFormat.HEADER + 8),
                    RecordFormat.getLong(d, RecordFormat.HEADER), Long::sum);
        }
        if (external != null && seq == external.seq) {
            macAtExternal = StoredRecord.mac(d);
        }
    }

    /**
     * From a failing document: if a RECOVERY record further on chains from the last good
     * record and names exactly the documents in between, returns the packed position after
     * it (the state has accepted it), else -1.
     */
    private long recoverySkip(int fileIndex, long offset) throws IOException {
        MessageDigest sha = ChainState.sha256();
        int skipped = 0;
        try (Docs docs = new Docs(files, fileIndex, offset)) {
            for (int i = 0; i < RECOVERY_LOOKAHEAD; i++) {
                CycleFiles.Doc d = docs.next();
                if (d == null) {
                    return -1;
                }
                if (StoredRecord.wellFormed(d.bytes) && StoredRecord.kind(d.bytes) == Kinds.RECOVERY
                        && StoredRecord.seq(d.bytes) == state.expectSeq()) {
                    byte[] digest = ((MessageDigest) sha.clone()).digest();
                    if (state.recoveryCovers(d.bytes, skipped, digest)) {
                        torn += skipped;
                        accepted(d.bytes);
                        return ((long) docs.fileIndex() << 40) | docs.offset();
                    }
                }
                sha.update(d.bytes);
                skipped++;
            }
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }

    private Report classify(byte[] r, String why, int fileIndex, long offset) throws IOException {
        long s = state.expectSeq();
        int[] maxEpoch = {0};
        boolean expectedLater = findVerifyingLater(s, fileIndex, offset, maxEpoch);
        boolean wellFormed = StoredRecord.wellFormed(r);
        if (expectedLater) {
            if (wellFormed && StoredRecord.seq(r) > s && genuine(r)) {
                return fail(Failure.REORDERED, s, "seq " + s + " is further on; seq " + StoredRecord.seq(r)
                        + " stands in its place");
            }
            return fail(Failure.INSERTED, s, "a record that is not part of the chain stands before seq " + s);
        }
        if (!wellFormed) {
            return fail(Failure.MODIFIED, s, why);
        }
        long found = StoredRecord.seq(r);
        if (found > s) {
            return fail(Failure.MISSING, s, "the next record present is seq " + found);
        }
        if (found < s) {
            return fail(Failure.INSERTED, s, "a second copy of seq " + found + " stands before seq " + s);
        }
        if (why.startsWith("wrong-key")) {
            return fail(Failure.WRONG_KEY, s, why.substring("wrong-key: ".length()));
        }
        int expected = state.expectedEpoch(r);
        int label = StoredRecord.epoch(r);
        if (label > expected && state.macWith(r, state.prevMac(), state.active(), label)) {
            return fail(Failure.WRONG_KEY, s, "MACed with the key of epoch " + label
                    + "; its position and time require epoch " + expected);
        }
        int to = (int) Math.min((long) expected + EPOCH_SEARCH, Math.max(label, maxEpoch[0]) + 1L);
        int e = state.laterEpochThatVerifies(r, expected, to);
        if (e >= 0) {
            return fail(Failure.WRONG_KEY, s, "MACed with the key of epoch " + e
                    + "; its position and time require epoch " + expected);
        }
        return fail(Failure.MODIFIED, s, why);
    }

    /** Whether a later document is the record {@code s} the chain expects (checked). */
    private boolean findVerifyingLater(long s, int fileIndex, long offset, int[] maxEpoch) throws IOException {
        try (Docs docs = new Docs(files, fileIndex, offset)) {
            docs.next(); // the failing document itself
            CycleFiles.Doc d;
            boolean found = false;
            while ((d = docs.next()) != null) {
                if (!StoredRecord.wellFormed(d.bytes)) {
                    continue;
                }
                maxEpoch[0] = Math.max(maxEpoch[0], StoredRecord.epoch(d.bytes));
                if (!found && StoredRecord.seq(d.bytes) == s && state.check(d.bytes) == null) {
                    found = true;
                }
            }
            return found;
        } catch (WalException e) {
            return false;
        }
    }

    /** Whether {@code r} verifies against the stored MAC of the record before it, wherever that is. */
    private boolean genuine(byte[] r) throws IOException {
        KeyRing.RootKey root = ring.byId(StoredRecord.keyId(r));
        byte[] prev = findSeq(StoredRecord.seq(r) - 1, 0, 0);
        return root != null && prev != null
                && state.macWith(r, StoredRecord.mac(prev), root, StoredRecord.epoch(r));
    }

    private byte[] findSeq(long seq, int fileIndex, long offset) throws IOException {
        try (Docs docs = new Docs(files, fileIndex, offset)) {
            CycleFiles.Doc d;
            while ((d = docs.next()) != null) {
                if (StoredRecord.wellFormed(d.bytes) && StoredRecord.seq(d.bytes) == seq) {
                    return d.bytes;
                }
            }
        } catch (WalException e) {
            return null;
        }
        return null;
    }

    private Report finish() {
        long last = state.expectSeq() - 1;
        long externalSeq = 0;
        if (external != null) {
            if (!Arrays.equals(external.logId, state.genesis.logId())) {
                throw new WalException("the seal file belongs to log " + KeyFiles.hex(external.logId)
                        + ", not to this log (" + state.genesis.logIdHex() + ")");
            }
            byte[] pub = sealPublicKey != null ? sealPublicKey : state.genesis.sealed() ? state.genesis.sealPublicKey() : null;
            if (pub == null) {
                throw new WalException("cannot check the seal file: the log has no seal key and none was given (--seal-pub)");
            }
            if (!external.verify(pub)) {
                throw new WalException("the seal file's signature does not verify with the seal public key");
            }
            if (external.seq > last) {
                return fail(Failure.TRUNCATED, last + 1, "the seal file seals seq " + external.seq
                        + " but the log ends at seq " + last);
            }
            if (!Arrays.equals(macAtExternal, external.mac)) {
                return fail(Failure.MODIFIED, external.seq, "its MAC differs from the one the seal file signed");
            }
            externalSeq = external.seq;
        }
        return new Report(null, 0, null, counts, last, lastSealSeq, torn, externalSeq, gapLost);
    }

    private Report fail(Failure f, long seq, String detail) {
        long last = state == null ? 0 : state.expectSeq() - 1;
        return new Report(f, seq, detail, counts, last, lastSealSeq, torn, 0, gapLost);
    }
}
