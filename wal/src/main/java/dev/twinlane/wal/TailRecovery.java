package dev.twinlane.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * What the writer checks on opening an existing log, before Chronicle Queue maps any of it, with
 * its own bounded reader of the cycle files ({@link CycleFiles}); nothing is written unless the
 * log may continue:
 * <ol>
 * <li>the log is the one the writer remembers ({@link Identity}, kept outside the directory): the
 *     same log id, not shorter than what was known durable;</li>
 * <li>from the newest durable seal it knows (the identity's or the seal file's, whichever is
 *     newer; signed, so it is an anchor nothing in the directory can fake) to the end of the log,
 *     every record is checked as a chain: the SEAL record the seal names must be where the seal
 *     says and carry that very seal, and every record after it must continue the chain. Without
 *     a usable seal the whole log is read from its GENESIS;</li>
 * <li>after the last record of the newest file only a torn write of a killed writer may remain:
 *     a header never completed (or none) and at most one record's bytes, which are zeroed. A
 *     header claiming more than a record can have, more than the file holds, or non-zero bytes
 *     further on, are damage, not a torn write: nothing is grown or mapped by such a length.</li>
 * </ol>
 * A record that does not continue the chain is damage, and refuses the start (a {@link Problem}),
 * unless the records from it on may have been torn by a power loss: no clean close, the machine
 * restarted since the writer opened the log (another boot id), and no durable seal or identity
 * covers it. Torn documents are then left in place and named by a RECOVERY record.
 */
final class TailRecovery {
    /** A start checks at least this many records before the newest durable seal (or the whole log, if shorter). */
    static final int TAIL = 4096;

    /** Why the start is refused (overridable by starting a new log in its place). */
    static final class Problem {
        /** NEW_LOG cause codes. */
        static final int DAMAGED = 1;
        static final int MISSING = 2;
        static final int FOREIGN = 3;
        static final int BEHIND = 4;

        final int cause;
        /** First seq that is not as it must be (0 when the problem has none). */
        final long firstBadSeq;
        final String line;
        /** The log given up: its id (null when unknown) and its last seq known good. */
        final byte[] logId;
        final long lastGoodSeq;

        Problem(int cause, long firstBadSeq, String line, byte[] logId, long lastGoodSeq) {
            this.cause = cause;
            this.firstBadSeq = firstBadSeq;
            this.line = line;
            this.logId = logId == null ? null : logId.clone();
            this.lastGoodSeq = lastGoodSeq;
        }
    }

    /** What the appender continues from. */
    static final class Result {
        Genesis genesis;
        long lastSeq;
        byte[] lastMac;
        int lastEpoch;
        int lastKind;
        KeyRing.RootKey activeRoot;
        /** Where the appender's keys continue from (caller erases): last record's epoch, or the key state's. */
        EpochKeys keys;
        /** Records read and checked, from seq {@link #checkedFrom}. */
        long checked;
        long checkedFrom;
        /** The seal the check started from (null: read from the GENESIS). */
        DurableSeal anchor;
        /** The newest seal of this log known durable (the anchor, or one without a position). */
        DurableSeal newestSeal;
        /** Highest seq known durable before this start (seals, identity). */
        long knownDurable;
        boolean cleanClose;
        boolean newBoot;
        long tornDocs;
        long tornBytes;
        MessageDigest tornDigest = ChainState.sha256();
        long tornBytesZeroed;
        String tornWhere;
        List<Path> newestFiles = List.of();
        Path newestFile;
        long newestEnd;
        Problem problem;

        boolean empty() {
            return genesis == null;
        }

        byte[] tornSha256() {
            try {
                return ((MessageDigest) tornDigest.clone()).digest();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }

        String summary() {
            if (empty()) {
                return "new log" + (tornBytesZeroed > 0 ? "; zeroed " + tornBytesZeroed
                        + " bytes of a torn first write at " + tornWhere : "");
            }
            StringBuilder sb = new StringBuilder();
            sb.append(checked).append(" records verified, seq ").append(checkedFrom).append("..").append(lastSeq)
                    .append(anchor != null ? " (from the durable seal of seq " + anchor.seq + ")" : " (from the GENESIS)");
            sb.append(cleanClose ? "; closed cleanly" : "; the previous writer did not close cleanly");
            if (tornBytesZeroed > 0) {
                sb.append("; discarded a torn partial write of ").append(tornBytesZeroed).append(" bytes at ").append(tornWhere);
            }
            if (tornDocs > 0) {
                sb.append("; ").append(tornDocs).append(" torn document(s) (").append(tornBytes)
                        .append(" bytes) after seq ").append(lastSeq).append(" are excluded by a RECOVERY record");
            }
            return sb.append("; continuing at seq ").append(lastSeq + 1).toString();
        }
    }

    private final Path dir;
    private final KeyRing ring;
    private final KeyState state;
    private final Identity identity;
    private final List<DurableSeal> sealFiles;
    private final byte[] sealPublicKey;
    private final String bootId;
    private final int maxDocument;
    private final int tornLimit;
    private final Result r = new Result();
    private List<Path> files;
    /** The RECOVERY record {@link #recoverySkip} found. */
    private byte[] skippedTo;
    /** MACs that durable seals signed, by seq: the records there must carry them. */
    private final Map<Long, byte[]> sealedMacs = new HashMap<>();

    private TailRecovery(Path dir, KeyRing ring, KeyState state, Identity identity, List<DurableSeal> sealFiles,
                         byte[] sealPublicKey, String bootId, int maxDocument, int tornLimit) {
        this.dir = dir;
        this.ring = ring;
        this.state = state;
        this.identity = identity;
        this.sealFiles = sealFiles;
        this.sealPublicKey = sealPublicKey;
        this.bootId = bootId;
        this.maxDocument = maxDocument;
        this.tornLimit = tornLimit;
    }

    /**
     * Checks the log in {@code dir} (its unfinished cycle files already removed). Key problems
     * throw a one-line WalException; damage, a missing or foreign log is returned as
     * {@link Result#problem}, and then nothing was changed on disk.
     *
     * @param sealFiles seals found aside (the seal file; may be empty); the identity's seals are also used
     * @param sealPublicKey the writer's seal key (may be null): for a log whose GENESIS names none
     *     (created before it had one), a seal counts when this key signed it
     * @param maxDocument the longest record a header may claim
     * @param tornLimit how many bytes after the last document a killed writer may have left (at
     *     least: one of Chronicle's index arrays, as long as the file's own, may be longer)
     */
    static Result recover(Path dir, KeyRing ring, KeyState state, Identity identity, List<DurableSeal> sealFiles,
                          byte[] sealPublicKey, String bootId, int maxDocument, int tornLimit) throws IOException {
        TailRecovery t = new TailRecovery(dir, ring, state, identity, sealFiles, sealPublicKey, bootId, maxDocument,
                tornLimit);
        t.run();
        return t.r;
    }

    private void run() throws IOException {
        files = CycleFiles.list(dir);
        r.newestFiles = files.subList(Math.max(0, files.size() - 2), files.size());
        r.newBoot = identity == null || identity.bootId.isEmpty() || !identity.bootId.equals(bootId);
        CycleFiles.Doc first = null;
        if (!files.isEmpty()) {
            try (ChainVerifier.Docs docs = new ChainVerifier.Docs(files, 0, 0, maxDocument)) {
                first = docs.next();
                if (first == null && identity == null) {
                    // no record at all (a writer killed before its GENESIS was complete): a new log, after its torn bytes
                    checkEnd(docs.fileIndex(), docs.lastEndPosition(), docs.lastEnd(), docs.lastBadLength());
                    return;
                }
            } catch (WalException e) {
                damage(Problem.DAMAGED, 1, "the log's first cycle file is damaged (" + e.getMessage() + ")",
                        identity == null ? null : identity.logId, 0);
                return;
            }
        }
        if (first == null) {
            if (identity != null) {
                damage(Problem.MISSING, 0, dir + " holds no log, but log " + identity.logIdHex() + " was there (seq "
                        + identity.durableSeq + " durable, says " + identity.file + "): the log directory was deleted,"
                        + " emptied or replaced", identity.logId, identity.durableSeq);
            }
            return;
        }
        byte[] g0 = first.bytes;
        if (!StoredRecord.wellFormed(g0) || StoredRecord.kind(g0) != Kinds.GENESIS || StoredRecord.seq(g0) != 1
                || Genesis.decode(g0, RecordFormat.HEADER, StoredRecord.payloadLength(g0)) == null) {
            damage(identity != null ? Problem.FOREIGN : Problem.DAMAGED, 1, "not a twinlane WAL: the first record in "
                    + dir + " is not a GENESIS record", identity == null ? null : identity.logId,
                    identity == null ? 0 : identity.durableSeq);
            return;
        }
        Genesis g = Genesis.decode(g0, RecordFormat.HEADER, StoredRecord.payloadLength(g0));
        if (identity != null && !Arrays.equals(identity.logId, g.logId())) {
            damage(Problem.FOREIGN, 0, dir + " holds log " + g.logIdHex() + ", not log " + identity.logIdHex()
                    + " that this writer kept there (seq " + identity.durableSeq + " durable, says " + identity.file
                    + "): the log directory was swapped", identity.logId, identity.durableSeq);
            return;
        }
        if (state != null && !Arrays.equals(g.logId(), state.logId)) {
            throw new WalException("key state file " + state.file + " belongs to log " + KeyFiles.hex(state.logId)
                    + ", not to the log in " + dir + " (" + g.logIdHex() + "); use that log's state file or its root key file");
        }
        r.genesis = g;
        r.cleanClose = identity != null && identity.closedCleanly();
        walk(g, first);
        if (r.problem == null && r.lastSeq < r.knownDurable) {
            damage(Problem.BEHIND, r.lastSeq + 1, "the log in " + dir + " ends at seq " + r.lastSeq + ", but seq "
                    + r.knownDurable + " was durable (" + (identity != null ? "says " + identity.file : "sealed")
                    + "): records were cut off or the directory was replaced by an older copy", g.logId(), r.lastSeq);
        }
        if (r.problem == null) {
            r.cleanClose = r.cleanClose && r.lastSeq == identity.lastSeq && Arrays.equals(r.lastMac, identity.lastMac)
                    && r.tornDocs == 0 && r.tornBytesZeroed == 0;
        }
    }

    private void damage(int cause, long seq, String line, byte[] logId, long lastGood) {
        r.problem = new Problem(cause, seq, line, logId, lastGood);
    }

    /**
     * Where to start checking: the newest seal of this log (signed by its seal key; from the
     * identity or the seal file) that lies at least {@value #TAIL} records before the newest one,
     * else the oldest known; null (start at the GENESIS) when the log is not longer than that. Every
     * seal known is also remembered to be checked against the record it names.
     */
    private DurableSeal anchor(Genesis g) {
        List<DurableSeal> candidates = new ArrayList<>(sealFiles);
        if (identity != null) {
            candidates.addAll(identity.seals);
        }
        byte[] pub = g.sealed() ? g.sealPublicKey() : sealPublicKey;
        List<DurableSeal> valid = new ArrayList<>();
        for (DurableSeal s : candidates) {
            if (!Arrays.equals(s.logId, g.logId()) || s.recordSeq != s.seq + 1 || pub == null || !s.verify(pub)) {
                continue; // another log's, or not signed by its seal key: proves nothing
            }
            valid.add(s);
            r.knownDurable = Math.max(r.knownDurable, s.recordSeq);
            sealedMacs.put(s.seq, s.mac);
        }
        valid.sort((a, b) -> Long.compare(b.recordSeq, a.recordSeq) != 0 ? Long.compare(b.recordSeq, a.recordSeq)
                : Boolean.compare(a.recordFile == null, b.recordFile == null));
        if (valid.isEmpty()) {
            return null;
        }
        DurableSeal newest = valid.get(0);
        r.newestSeal = newest;
        if (newest.recordSeq <= TAIL) {
            return null; // a short log: read it whole
        }
        DurableSeal oldest = null;
        for (DurableSeal s : valid) {
            if (s.recordFile == null) {
                continue;
            }
            if (s.recordSeq <= newest.recordSeq - TAIL) {
                return s;
            }
            oldest = s;
        }
        return oldest != null ? oldest : locate(newest);
    }

    /**
     * A seal file of an older writer says which record, not where: look for its SEAL record in the
     * newest two cycle files (it is at most a seal interval old), rather than read the whole log.
     */
    private DurableSeal locate(DurableSeal s) {
        for (int i = files.size() - 1; i >= Math.max(0, files.size() - 2); i--) {
            try (CycleFiles.Reader rd = new CycleFiles.Reader(files.get(i), 0, maxDocument)) {
                CycleFiles.Doc d;
                while ((d = rd.next()) != null) {
                    if (StoredRecord.wellFormed(d.bytes) && StoredRecord.seq(d.bytes) == s.recordSeq) {
                        return StoredRecord.kind(d.bytes) == Kinds.SEAL
                                ? s.withRecord(s.recordSeq, files.get(i).getFileName().toString(), d.offset) : null;
                    }
                }
            } catch (IOException | WalException e) {
                return null; // the walk from the GENESIS will say what is wrong
            }
        }
        return null;
    }

    private void walk(Genesis g, CycleFiles.Doc first) throws IOException {
        boolean trust = state != null;
        EpochKeys stateKeys = state == null ? null : state.keys;
        DurableSeal anchor = anchor(g);
        if (identity != null) {
            r.knownDurable = Math.max(r.knownDurable, identity.durableSeq);
        }
        ChainState s;
        int fileIndex;
        long offset;
        byte[] last;
        int at = anchor == null || anchor.recordFile == null ? -1 : files.indexOf(dir.resolve(anchor.recordFile));
        if (at >= 0) {
            CycleFiles.Doc d;
            try (CycleFiles.Reader rd = new CycleFiles.Reader(files.get(at), anchor.recordOffset, maxDocument)) {
                d = rd.next();
            } catch (WalException e) {
                d = null;
            }
            DurableSeal carried = d == null || !StoredRecord.wellFormed(d.bytes) || StoredRecord.kind(d.bytes) != Kinds.SEAL
                    ? null : DurableSeal.decode(d.bytes, RecordFormat.HEADER, StoredRecord.payloadLength(d.bytes), 0);
            if (d == null || d.offset != anchor.recordOffset || StoredRecord.seq(d.bytes) != anchor.recordSeq
                    || !anchor.sameAs(carried)) {
                damage(Problem.DAMAGED, anchor.recordSeq, "the SEAL record of seq " + anchor.recordSeq
                        + ", which the durable seal names, is not intact at " + anchor.recordFile + " offset "
                        + anchor.recordOffset, g.logId(), anchor.seq);
                return;
            }
            s = ChainState.fromSeal(g, ring, stateKeys, trust, anchor, d.bytes);
            String why = s.accept(d.bytes);
            if (why != null) {
                damage(Problem.DAMAGED, anchor.recordSeq, "the SEAL record of seq " + anchor.recordSeq
                        + " does not continue the sealed record (" + why + ")", g.logId(), anchor.seq);
                return;
            }
            r.anchor = anchor;
            r.checkedFrom = anchor.recordSeq;
            last = d.bytes;
            fileIndex = at;
            offset = d.end();
        } else {
            String[] why = new String[1];
            s = ChainState.fromGenesis(first.bytes, ring, stateKeys, trust, why);
            if (why[0] != null) {
                throw new WalException("the log's GENESIS record does not verify with " + (ring != null
                        ? "the key file(s) " + ring.files() : "key state file " + state.file) + " (" + why[0]
                        + "); wrong key file, or run `twinlane verify`");
            }
            r.checkedFrom = 1;
            last = first.bytes;
            fileIndex = 0;
            offset = first.end();
        }
        r.checked = 1;
        while (true) {
            try (ChainVerifier.Docs docs = new ChainVerifier.Docs(files, fileIndex, offset, maxDocument)) {
                while (true) {
                    int fi = docs.fileIndex();
                    long off = docs.offset();
                    CycleFiles.Doc d;
                    try {
                        d = docs.next();
                    } catch (WalException e) {
                        damage(Problem.DAMAGED, s.expectSeq(), e.getMessage(), g.logId(), s.expectSeq() - 1);
                        return;
                    }
                    if (d == null) {
                        if (finishChain(s, last, g)) {
                            checkEnd(docs.fileIndex(), docs.lastEndPosition(), docs.lastEnd(), docs.lastBadLength());
                        }
                        return;
                    }
                    String why = s.accept(d.bytes);
                    if (why == null) {
                        byte[] sealed = sealedMacs.get(StoredRecord.seq(d.bytes));
                        if (sealed != null && !Arrays.equals(StoredRecord.mac(d.bytes), sealed)) {
                            long q = StoredRecord.seq(d.bytes);
                            damage(Problem.DAMAGED, q, "seq " + q + " is not the record its durable seal signed", g.logId(), q - 1);
                            return;
                        }
                        last = d.bytes;
                        r.checked++;
                        continue;
                    }
                    long after = recoverySkip(s, fi, off);
                    if (after >= 0) {
                        // torn documents of an earlier power loss, excused by the RECOVERY record the state accepted
                        last = skippedTo;
                        fileIndex = (int) (after >>> 40);
                        offset = after & ((1L << 40) - 1);
                        break;
                    }
                    long failedAt = s.expectSeq();
                    if (ring != null && s.active() == null && why.startsWith("wrong-key: key")) {
                        throw new WalException("the key named by the log's last ROTATE record is not in the key file(s) "
                                + ring.files());
                    }
                    if (!tornAllowed(failedAt)) {
                        damage(Problem.DAMAGED, failedAt, "the chain breaks at seq " + failedAt + " (" + why + ")"
                                + where(failedAt), g.logId(), failedAt - 1);
                        return;
                    }
                    // torn by a power loss: this and every document after it, named by a RECOVERY record
                    try {
                        for (CycleFiles.Doc t = d; t != null; t = docs.next()) {
                            r.tornDocs++;
                            r.tornBytes += t.bytes.length;
                            r.tornDigest.update(t.bytes);
                        }
                    } catch (WalException e) {
                        damage(Problem.DAMAGED, failedAt, e.getMessage(), g.logId(), failedAt - 1);
                        return;
                    }
                    if (finishChain(s, last, g)) {
                        checkEnd(docs.fileIndex(), docs.lastEndPosition(), docs.lastEnd(), docs.lastBadLength());
                    }
                    return;
                }
            }
        }
    }

    private boolean tornAllowed(long seq) {
        return !r.cleanClose && r.newBoot && seq > r.knownDurable;
    }

    private String where(long seq) {
        if (seq <= r.knownDurable) {
            return ", which was durable (sealed or recorded durable up to seq " + r.knownDurable + ")";
        }
        if (r.cleanClose) {
            return ", in a log that was closed cleanly";
        }
        return ", and no power was lost since the writer opened the log (same boot): a crash tears nothing";
    }

    /** Sets what the appender continues from; false when the key state does not fit the log. */
    private boolean finishChain(ChainState s, byte[] last, Genesis g) {
        r.lastSeq = StoredRecord.seq(last);
        r.lastMac = StoredRecord.mac(last);
        r.lastEpoch = StoredRecord.epoch(last);
        r.lastKind = StoredRecord.kind(last);
        r.keys = s.keysCopy();
        r.activeRoot = s.active();
        if (ring != null && r.activeRoot == null) {
            throw new WalException("the key named by the log's last ROTATE record is not in the key file(s) " + ring.files());
        }
        if (state != null && (r.keys == null || s.activeId() != state.keyId())) {
            throw new WalException("key state file " + state.file + " holds key " + KeyRing.idHex(state.keyId())
                    + ", but the log continues with key " + KeyRing.idHex(s.activeId()) + " after seq " + r.lastSeq
                    + "; start the writer once with the root key file that holds " + KeyRing.idHex(s.activeId()));
        }
        if (r.tornDocs > 0 && r.knownDurable > r.lastSeq) {
            damage(Problem.DAMAGED, r.lastSeq + 1, "the chain breaks after seq " + r.lastSeq + ", but seq " + r.knownDurable
                    + " was sealed durable: the log was damaged or tampered with", g.logId(), r.lastSeq);
            return false;
        }
        return true;
    }

    /**
     * What follows the last document of the newest file: nothing, a killed writer's torn write
     * (zeroed here, once the rest of the log is known good), or damage.
     */
    private void checkEnd(int fileIndex, long end, CycleFiles.End how, int badLength) throws IOException {
        Path newest = files.get(fileIndex);
        long next = r.genesis == null ? 1 : r.lastSeq + 1;
        byte[] logId = r.genesis == null ? null : r.genesis.logId();
        try (CycleFiles.Reader rd = new CycleFiles.Reader(newest, end, maxDocument)) {
            if (how == CycleFiles.End.BAD_LENGTH || fileIndex != files.size() - 1) { // (the walk stops early only there)
                damage(Problem.DAMAGED, next, newest.getFileName() + " offset " + end + ": a header claims a document of "
                        + badLength + " bytes after seq " + r.lastSeq + ", more than a record can have (" + maxDocument
                        + "): damaged bytes, not a torn write", logId, r.lastSeq);
                return;
            }
            long tornFrom = how == CycleFiles.End.END_MARKER ? end + 4 : end;
            // one document: a record, or one of Chronicle's index arrays (their size is the file's own)
            long reach = Math.max(tornLimit, CycleFiles.largestIndex(newest) + 8L);
            long limit = how == CycleFiles.End.END_MARKER ? 0 : reach;
            long beyond = rd.firstNonZero(tornFrom + limit, rd.size());
            if (beyond >= 0) {
                damage(Problem.DAMAGED, next, newest.getFileName() + ": unknown bytes at offset " + beyond + ", "
                        + (beyond - end) + " bytes after the end of seq " + r.lastSeq + " (offset " + end + "), further than"
                        + " a torn write reaches (" + reach + " bytes): damaged or foreign data", logId, r.lastSeq);
                return;
            }
            long dirtyEnd = -1;
            for (long p = tornFrom; p < tornFrom + limit; ) {
                long nz = rd.firstNonZero(p, tornFrom + limit);
                if (nz < 0) {
                    break;
                }
                dirtyEnd = nz + 1;
                p = nz + 1;
            }
            if (dirtyEnd < 0) {
                r.newestFile = newest;
                r.newestEnd = end;
                return;
            }
            if (r.cleanClose) {
                damage(Problem.DAMAGED, next, newest.getFileName() + ": " + (dirtyEnd - end) + " bytes at offset " + end
                        + " after the last record (seq " + r.lastSeq + ") of a log that was closed cleanly: damaged or"
                        + " foreign data", logId, r.lastSeq);
                return;
            }
            r.newestFile = newest;
            r.newestEnd = end;
            r.tornBytesZeroed = dirtyEnd - end;
            r.tornWhere = newest.getFileName() + " offset " + end;
        }
    }

    /** Zeroes the torn write found by {@link #recover}; only once the log may continue. */
    static void zeroTorn(Result r) throws IOException {
        if (r.tornBytesZeroed == 0 || r.newestFile == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(r.newestFile, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(r.tornBytesZeroed, 1 << 20));
            long p = r.newestEnd;
            long stop = r.newestEnd + r.tornBytesZeroed;
            while (p < stop) {
                zeros.clear();
                zeros.limit((int) Math.min(zeros.capacity(), stop - p));
                p += ch.write(zeros, p);
            }
            ch.force(false);
        }
    }

    /**
     * From a failing document at ({@code fileIndex}, {@code offset}): if a RECOVERY record further
     * on chains from the last good record and names exactly the documents in between, returns the
     * packed position after it (the state has accepted it), else -1.
     */
    private long recoverySkip(ChainState s, int fileIndex, long offset) throws IOException {
        MessageDigest md = ChainState.sha256();
        int skipped = 0;
        try (ChainVerifier.Docs docs = new ChainVerifier.Docs(files, fileIndex, offset, maxDocument)) {
            CycleFiles.Doc d;
            while ((d = docs.next()) != null && skipped < 1_000_000) {
                if (StoredRecord.wellFormed(d.bytes) && StoredRecord.kind(d.bytes) == Kinds.RECOVERY
                        && StoredRecord.seq(d.bytes) == s.expectSeq()) {
                    byte[] digest = ((MessageDigest) md.clone()).digest();
                    if (s.recoveryCovers(d.bytes, skipped, digest)) {
                        r.checked++;
                        skippedTo = d.bytes;
                        return ((long) docs.fileIndex() << 40) | docs.offset();
                    }
                }
                md.update(d.bytes);
                skipped++;
            }
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        } catch (WalException e) {
            return -1;
        }
        return -1;
    }

    /** Why Chronicle choked on the tail: our own reading of the newest files, else its error. */
    static String diagnose(Path dir, Throwable chronicleError) {
        try {
            List<Path> files = CycleFiles.list(dir);
            for (Path f : files.subList(Math.max(0, files.size() - 2), files.size())) {
                try (CycleFiles.Reader rd = new CycleFiles.Reader(f, 0)) {
                    while (rd.next() != null) {
                        // a damaged file throws a one-line WalException here
                    }
                }
            }
        } catch (WalException e) {
            return e.getMessage();
        } catch (IOException e) {
            return e.toString();
        }
        return chronicleError.toString();
    }

}
