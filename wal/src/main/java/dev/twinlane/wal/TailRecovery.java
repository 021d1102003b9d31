package dev.twinlane.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * What the writer does on opening an existing log, before appending anything:
 * <ol>
 * <li>reads the genesis and the last {@value #TAIL} records (through Chronicle's index);</li>
 * <li>checks that tail as a chain, from its oldest record (or from the genesis when the log is
 *     that short) - records that do not continue it are torn documents of a power loss, kept in
 *     place and named by a RECOVERY record, unless a durable seal already covers them (then the
 *     log was damaged or tampered with and the writer refuses to continue);</li>
 * <li>zeroes the bytes a killed writer left after the last complete document (a Chronicle
 *     document becomes visible only when its header is written last, so after kill -9 a
 *     half-written record is invisible but its bytes are there).</li>
 * </ol>
 */
final class TailRecovery {
    static final int TAIL = 4096;

    /** What the appender continues from. */
    static final class Result {
        Genesis genesis;
        long lastSeq;
        byte[] lastMac;
        int lastEpoch;
        KeyRing.RootKey activeRoot;
        /** Where the appender's keys continue from (caller erases): last record's epoch, or the key state's. */
        EpochKeys keys;
        int checked;
        final List<byte[]> tornDocs = new ArrayList<>();
        long tornBytes;
        long tornBytesZeroed;
        String tornWhere;
        List<Path> newestFiles = List.of();
        Path newestFile;
        long newestEnd;

        boolean empty() {
            return genesis == null;
        }

        byte[] tornSha256() {
            MessageDigest md = ChainState.sha256();
            for (byte[] d : tornDocs) {
                md.update(d);
            }
            return md.digest();
        }

        String summary() {
            if (empty()) {
                return "new log" + (tornBytesZeroed > 0 ? "; zeroed " + tornBytesZeroed
                        + " bytes of a torn first write at " + tornWhere : "");
            }
            StringBuilder sb = new StringBuilder("chain tail of ").append(checked).append(" records verified up to seq ")
                    .append(lastSeq);
            if (tornBytesZeroed > 0) {
                sb.append("; discarded a torn partial write of ").append(tornBytesZeroed).append(" bytes at ").append(tornWhere);
            }
            if (!tornDocs.isEmpty()) {
                sb.append("; ").append(tornDocs.size()).append(" torn document(s) (").append(tornBytes)
                        .append(" bytes) after seq ").append(lastSeq).append(" are excluded by a RECOVERY record");
            }
            return sb.append("; continuing at seq ").append(lastSeq + 1).toString();
        }
    }

    private TailRecovery() {
    }

    static Result recover(SingleChronicleQueue q, Path dir, KeyRing ring, KeyState state, Path sealFile,
                          int maxRecordBytes) throws IOException {
        Result r = new Result();
        byte[] first = firstDoc(q);
        List<Path> files = CycleFiles.list(dir);
        r.newestFiles = files.subList(Math.max(0, files.size() - 2), files.size());
        long[] lastDocPos = {-1};
        String[] lastDocFile = {null};
        if (first != null) {
            ArrayDeque<byte[]> tail = lastDocs(q, lastDocPos, lastDocFile);
            if (state != null) {
                checkChainFromState(r, dir, first, new ArrayList<>(tail), state, sealFile);
            } else {
                checkChain(r, first, new ArrayList<>(tail), ring, sealFile);
            }
        }
        zeroTornBytes(r, files, lastDocFile[0], lastDocPos[0], maxRecordBytes);
        return r;
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

    private static byte[] firstDoc(SingleChronicleQueue q) {
        try (ExcerptTailer t = q.createTailer(); DocumentContext dc = t.readingDocument()) {
            return dc.isPresent() ? copy(dc.wire().bytes()) : null;
        }
    }

    private static ArrayDeque<byte[]> lastDocs(SingleChronicleQueue q, long[] lastPos, String[] lastFile) {
        ArrayDeque<byte[]> docs = new ArrayDeque<>();
        try (ExcerptTailer t = q.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (docs.size() < TAIL) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (docs.isEmpty()) {
                        lastPos[0] = dc.wire().bytes().readPosition() - 4;
                        lastFile[0] = t.currentFile().toPath().getFileName().toString();
                    }
                    docs.addFirst(copy(dc.wire().bytes()));
                }
            }
        }
        return docs;
    }

    private static byte[] copy(Bytes<?> b) {
        byte[] d = new byte[(int) b.readRemaining()];
        b.read(d);
        return d;
    }

    private static void checkChain(Result r, byte[] first, List<byte[]> tail, KeyRing ring, Path sealFile) {
        String[] why = new String[1];
        ChainState genesisState = ChainState.fromGenesis(first, ring, why);
        if (genesisState == null) {
            throw new WalException("not a twinlane WAL: the first record is not a GENESIS record");
        }
        if (why[0] != null) {
            throw new WalException("the log's GENESIS record does not verify with the key file(s) " + ring.files()
                    + " (" + why[0] + "); wrong key file, or run `twinlane verify`");
        }
        r.genesis = genesisState.genesis;
        ChainState s;
        // (root keys: every record of the tail is checked)
        int start;
        if (StoredRecord.wellFormed(tail.get(0)) && StoredRecord.seq(tail.get(0)) == 1) {
            s = genesisState;
            start = 1;
        } else {
            s = ChainState.fromAnchor(r.genesis, ring, tail.get(0), 0);
            start = 1;
        }
        finish(r, s, tail, start, sealFile);
        r.activeRoot = s.active();
        if (r.activeRoot == null) {
            throw new WalException("the key named by the log's last ROTATE record is not in the key file(s) " + ring.files());
        }
    }

    /**
     * The writer holds only its key state (key id, epoch E, K_E), not the root key. Records of an
     * earlier epoch or key were durable before the state moved to E (the appender syncs the log
     * before it writes a new state), so they are trusted as they are; the records from the first
     * of epoch E and key id on are checked like any tail.
     */
    private static void checkChainFromState(Result r, Path dir, byte[] first, List<byte[]> tail, KeyState state,
                                            Path sealFile) {
        if (!StoredRecord.wellFormed(first) || StoredRecord.kind(first) != Kinds.GENESIS || StoredRecord.seq(first) != 1) {
            throw new WalException("not a twinlane WAL: the first record is not a GENESIS record");
        }
        Genesis g = Genesis.decode(first, RecordFormat.HEADER, StoredRecord.payloadLength(first));
        if (g == null) {
            throw new WalException("not a twinlane WAL: the GENESIS payload is malformed");
        }
        if (!Arrays.equals(g.logId, state.logId)) {
            throw new WalException("key state file " + state.file + " belongs to log " + KeyFiles.hex(state.logId)
                    + ", not to the log in " + dir + " (" + g.logIdHex() + "); use that log's state file or its root key file");
        }
        r.genesis = g;
        int p = 0;
        while (p < tail.size() && beforeState(tail.get(p), state)
                && (p == 0 || StoredRecord.seq(tail.get(p)) == StoredRecord.seq(tail.get(p - 1)) + 1)) {
            p++;
        }
        ChainState s;
        if (p == 0 && StoredRecord.wellFormed(tail.get(0)) && StoredRecord.seq(tail.get(0)) == 1) {
            String[] why = new String[1];
            s = ChainState.fromGenesis(first, null, state.keys, why);
            if (why[0] != null) {
                throw new WalException("the log's GENESIS record does not verify with key state file " + state.file
                        + " (" + why[0] + "); wrong state file, or run `twinlane verify`");
            }
        } else {
            byte[] anchor = tail.get(Math.max(p, 1) - 1);
            int id = StoredRecord.kind(anchor) == Kinds.ROTATE ? RecordFormat.getInt(anchor, RecordFormat.HEADER)
                    : StoredRecord.keyId(anchor);
            if (id != state.keyId()) {
                throw mismatch(state, id, StoredRecord.seq(anchor));
            }
            s = ChainState.fromAnchor(g, null, state.keys, anchor, 0);
        }
        finish(r, s, tail, Math.max(p, 1), sealFile);
        if (r.keys == null || s.activeId() != state.keyId()) {
            throw mismatch(state, s.activeId(), r.lastSeq);
        }
    }

    private static WalException mismatch(KeyState state, int logKeyId, long seq) {
        return new WalException("key state file " + state.file + " holds key " + KeyRing.idHex(state.keyId())
                + ", but the log continues with key " + KeyRing.idHex(logKeyId) + " after seq " + seq
                + "; start the writer once with the root key file that holds " + KeyRing.idHex(logKeyId));
    }

    /** Made before the key state's epoch or with another (older) root key. */
    private static boolean beforeState(byte[] d, KeyState state) {
        return StoredRecord.wellFormed(d) && (StoredRecord.keyId(d) != state.keyId() || StoredRecord.epoch(d) < state.epoch());
    }

    /** Walks the tail from {@code start} with {@code s}; what does not continue it is torn. */
    private static void finish(Result r, ChainState s, List<byte[]> tail, int start, Path sealFile) {
        byte[] last = tail.get(start - 1);
        int i = start;
        while (i < tail.size()) {
            byte[] d = tail.get(i);
            if (s.accept(d) == null) {
                last = d;
                i++;
                continue;
            }
            int resume = skipPastRecovery(s, tail, i);
            if (resume < 0) {
                break;
            }
            last = tail.get(resume - 1);
            i = resume;
        }
        r.checked = i;
        for (int j = i; j < tail.size(); j++) {
            r.tornDocs.add(tail.get(j));
            r.tornBytes += tail.get(j).length;
        }
        r.lastSeq = StoredRecord.seq(last);
        r.lastMac = StoredRecord.mac(last);
        r.lastEpoch = StoredRecord.epoch(last);
        r.keys = s.keysCopy();
        if (!r.tornDocs.isEmpty()) {
            refuseIfSealed(r, sealFile);
        }
    }

    /** Index after a RECOVERY record in {@code tail} that excuses the documents from {@code from}, or -1. */
    private static int skipPastRecovery(ChainState s, List<byte[]> tail, int from) {
        MessageDigest md = ChainState.sha256();
        for (int j = from; j < tail.size(); j++) {
            byte[] d = tail.get(j);
            if (StoredRecord.wellFormed(d) && StoredRecord.kind(d) == Kinds.RECOVERY && StoredRecord.seq(d) == s.expectSeq()) {
                try {
                    byte[] digest = ((MessageDigest) md.clone()).digest();
                    if (s.recoveryCovers(d, j - from, digest)) {
                        return j + 1;
                    }
                } catch (CloneNotSupportedException e) {
                    throw new IllegalStateException(e);
                }
            }
            md.update(d);
        }
        return -1;
    }

    private static void refuseIfSealed(Result r, Path sealFile) {
        if (sealFile == null || !Files.exists(sealFile)) {
            return;
        }
        Seal seal;
        try {
            seal = Seal.read(sealFile);
        } catch (WalException e) {
            return; // an unreadable side file proves nothing either way
        }
        if (Arrays.equals(seal.logId, r.genesis.logId) && seal.recordSeq > r.lastSeq) {
            throw new WalException("the chain breaks after seq " + r.lastSeq + ", but seq " + seal.recordSeq
                    + " was sealed durable: the log was damaged or tampered with; run `twinlane verify`");
        }
    }

    private static void zeroTornBytes(Result r, List<Path> files, String lastDocFile, long lastDocPos,
                                      int maxRecordBytes) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        Path newest = files.get(files.size() - 1);
        long start = newest.getFileName().toString().equals(lastDocFile) ? lastDocPos : 0;
        long end;
        long dirty;
        try (CycleFiles.Reader rd = new CycleFiles.Reader(newest, start)) {
            while (rd.next() != null) {
                // walk to the end of the complete documents
            }
            if (rd.end() != CycleFiles.End.NOTHING_MORE) {
                return;
            }
            end = rd.position();
            dirty = rd.dirtyBytesAfter(end, maxRecordBytes);
        }
        r.newestFile = newest;
        r.newestEnd = end;
        if (dirty == 0) {
            return;
        }
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) dirty);
            while (zeros.hasRemaining()) {
                ch.write(zeros, end + zeros.position());
            }
            ch.force(false);
        }
        r.tornBytesZeroed = dirty;
        r.tornWhere = newest.getFileName() + " offset " + end;
    }
}
