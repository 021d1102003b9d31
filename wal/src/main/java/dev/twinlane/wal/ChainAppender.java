package dev.twinlane.wal;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import dev.twinlane.wal.proof.EpochSchedule;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;

/**
 * Chains and appends records. One per log, used by one thread at a time: the chain is a single
 * sequence, and the log's owner (the lane) is the only writer, so nothing here takes a lock.
 * Timed seals are written by that thread too: by an append once the interval has passed, and
 * by {@link #sealIfDue()}, which the owner calls while it has nothing to append. Another thread
 * may use the appender only after a happens-before edge with the last use (a thread start or
 * join, as at open and close). Each append goes to the queue at once, nothing is batched in user
 * space, and the path allocates nothing: header, MAC and key buffers are reused and the record
 * is copied straight into Chronicle's mapped file.
 */
public final class ChainAppender {
    private final ChainedLog log;
    private final ExcerptAppender out;
    private final WalClock clock;
    private final EpochSchedule schedule;
    private final byte[] logId;
    private final EpochKeys keys = new EpochKeys();
    private final HmacSha256 mac = new HmacSha256();
    private final byte[] header = new byte[RecordFormat.HEADER];
    private final byte[] walPayload = new byte[256];
    private byte[] lastMac = new byte[RecordFormat.MAC];
    private byte[] nextMac = new byte[RecordFormat.MAC];
    private final int maxPayload;
    private final SpaceGuard space;
    private final AppendTime appendTime;
    private final long rollEpochMillis;
    private final long rollLengthMillis;
    private long nextSeq;
    private int timePart;
    private long nextTimeBoundary;
    private int countPart;
    private long nextCountBoundary;
    private long nextRollMillis;
    private long lastNowMillis;
    private long calibratedAt = Long.MIN_VALUE / 2;
    private long wallOffset;
    private final boolean systemClock;
    private volatile long appendedSeq;
    private static final VarHandle APPENDED;

    static {
        try {
            APPENDED = MethodHandles.lookup().findVarHandle(ChainAppender.class, "appendedSeq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SealKey sealKey;
    private final long sealEveryRecords;
    private final long sealEveryNanos;
    private long recordsSinceSeal;
    private long lastSealMono;
    /** The monotonic time of the last write: the timed-seal test on the append path reads no clock. */
    private long lastMono;
    private final AtomicReference<DurableSeal> unsavedSeal = new AtomicReference<>();
    private final boolean strict;
    /** A start record the full disk kept out (see deferRecovery); written before the next record. */
    private Runnable deferred;

    ChainAppender(ChainedLog log, SingleChronicleQueue queue, AppendTime appendTime, ChainedLog.Builder b,
                  Genesis genesis, SpaceGuard space, long rollEpochMillis, long rollLengthMillis) {
        this.appendTime = appendTime;
        this.log = log;
        this.out = queue.createAppender();
        this.clock = b.clock;
        this.systemClock = b.clock == WalClock.SYSTEM;
        this.schedule = genesis.schedule();
        this.logId = genesis.logId().clone();
        this.maxPayload = b.maxPayload;
        this.space = space;
        this.rollEpochMillis = rollEpochMillis;
        this.rollLengthMillis = rollLengthMillis;
        this.sealKey = b.sealKey;
        this.sealEveryRecords = b.sealEveryRecords;
        this.sealEveryNanos = b.sealEveryNanos;
        this.strict = b.syncEachRecord;
        this.lastSealMono = clock.monoNanos();
        out.singleThreadedCheckDisabled(true); // opened by one thread, appended to by the lane's, closed by a third
        File f = out.currentFile();
        if (f != null) {
            space.resume(out.cycle(), f.toPath(), log.tailDataEnd(f.toPath()));
            nextRollMillis = rollEpochMillis + (out.cycle() + 1L) * rollLengthMillis;
        }
    }

    /**
     * Continues after the tail of an existing log (or before genesis: seq 0) with {@code start},
     * already saved in the key state file (erased here).
     */
    void resume(long lastSeq, byte[] lastMacValue, int lastEpoch, EpochKeys start) {
        resume(lastSeq, lastMacValue, lastEpoch, start, true);
    }

    /** {@code lastIsSeal}: whether the tail's last record is a SEAL (else a close seals it). */
    void resume(long lastSeq, byte[] lastMacValue, int lastEpoch, EpochKeys start, boolean lastIsSeal) {
        recordsSinceSeal = lastIsSeal ? 0 : 1;
        nextSeq = lastSeq + 1;
        System.arraycopy(lastMacValue, 0, lastMac, 0, RecordFormat.MAC);
        timePart = lastSeq == 0 ? 0 : lastEpoch - schedule.countPart(lastSeq);
        nextTimeBoundary = schedule.timeBoundary(timePart);
        countPart = schedule.countPart(Math.max(1, nextSeq));
        nextCountBoundary = schedule.countBoundary(countPart);
        keys.set(start);
        start.erase();
        mac.init(keys.key());
        appendedSeq = lastSeq;
    }

    /**
     * Appends one record of an application kind (1..0xFEFF) and returns its sequence number.
     * Throws WalException.Full, with nothing written, when the file system is full or failing.
     */
    public long append(int kind, byte[] payload, int off, int len) {
        if (!Kinds.isApp(kind)) {
            throw new IllegalArgumentException("application kinds are 1.." + Kinds.MAX_APP_KIND + ", not " + kind);
        }
        if (len < 0 || len > maxPayload || off < 0 || off + len > payload.length) {
            throw new IllegalArgumentException("payload of " + len + " bytes (at most " + maxPayload + ")");
        }
        writeDeferred();
        long seq = write(kind, payload, off, len, false);
        if (sealKey != null && (recordsSinceSeal >= sealEveryRecords || lastMono - lastSealMono >= sealEveryNanos)) {
            writeSeal();
        }
        if (strict) {
            log.syncNow();
        }
        return seq;
    }

    public long append(int kind, byte[] payload) {
        return append(kind, payload, 0, payload.length);
    }

    /**
     * Records that {@code lost} events never reached us from {@code ring} between two times of
     * the caller's clock (e.g. kernel ktime ns). The log chains the fact; it imputes nothing.
     */
    public long gap(long lost, int ring, long fromNanos, long toNanos) {
        writeDeferred();
        RecordFormat.putLong(walPayload, 0, lost);
        RecordFormat.putInt(walPayload, 8, ring);
        RecordFormat.putInt(walPayload, 12, 0);
        RecordFormat.putLong(walPayload, 16, fromNanos);
        RecordFormat.putLong(walPayload, 24, toNanos);
        return write(Kinds.GAP, walPayload, 0, 32, false);
    }

    /**
     * From the next record on, epoch keys descend from {@code next}. The ROTATE record that says
     * so is MACed with the current key. Add the new key to the key file before calling this, so
     * that a restart and the verifier find it.
     */
    public long rotateKey(KeyRing.RootKey next) {
        RecordFormat.putInt(walPayload, 0, next.id());
        long seq = write(Kinds.ROTATE, walPayload, 0, 4, false);
        keys.start(next, logId); // erases the old chain; the next write evolves to its epoch
        mac.init(keys.key());
        log.rotated(next);
        // the state file moves to the new root's epoch-0 key once the ROTATE is durable
        log.syncer().keyStateDue(keys.copy(), logId);
        log.syncNow(); // rotation is an operator's act: leave with the state file moved (or the failure reported)
        return seq;
    }

    /** Writes a SEAL now (if the log has a seal key); returns its seq, or -1. */
    public long seal() {
        return sealKey == null ? -1 : writeSeal();
    }

    /**
     * Writes a timed SEAL if records came since the last one and the seal interval has passed.
     * The appending thread calls it while it has nothing to append (at least once per seal
     * interval): an append seals by itself, an idle log only through this. Returns the SEAL's
     * seq, or -1.
     */
    public long sealIfDue() {
        if (sealKey != null && recordsSinceSeal > 0 && clock.monoNanos() - lastSealMono >= sealEveryNanos && log.status().healthy()) {
            return writeSeal();
        }
        return -1;
    }

    private long writeSeal() {
        long now = clock.wallNanos();
        DurableSeal s = DurableSeal.sign(sealKey, logId, nextSeq - 1, lastMac, now);
        s.encode(walPayload, 0);
        long seq = write(Kinds.SEAL, walPayload, 0, Seal.PAYLOAD, false);
        recordsSinceSeal = 0;
        lastSealMono = clock.monoNanos();
        // where the SEAL record's document starts: the writer's recovery reads the log from there
        Path f = space.file();
        long at = space.end() - 4 - (RecordFormat.OVERHEAD + Seal.PAYLOAD);
        DurableSeal placed = f == null ? s.withRecordSeq(seq) : s.withRecord(seq, f.getFileName().toString(), at);
        unsavedSeal.set(placed);
        log.sealWritten(placed);
        return seq;
    }

    /**
     * At a clean close: a SEAL of the last record unless it already is one (or the log has no
     * seal key); returns its seq, or -1.
     */
    long finalSeal() {
        return sealKey == null || recordsSinceSeal == 0 ? -1 : writeSeal();
    }

    /** The last record's seq and MAC (a copy), as one consistent pair. */
    byte[] lastMac(long[] seq) {
        seq[0] = nextSeq - 1;
        return lastMac.clone();
    }

    long writeGenesis(Genesis g) {
        byte[] p = g.encode();
        return write(Kinds.GENESIS, p, 0, p.length, true);
    }

    /** The RECOVERY record after an unclean stop (layout: {@link Kinds#RECOVERY}). */
    long writeRecovery(int docs, long bytes, byte[] sha256, long zeroed, long knownDurable, int flags) {
        return writeRecoveryRecord(docs, bytes, sha256, zeroed, knownDurable, flags);
    }

    /**
     * The RECOVERY record of a start on a full file system: written before the next record, by
     * the first append or gap that finds room (until then every append fails as the disk does),
     * so the unclean restart is in the chain before anything that follows it.
     */
    void deferRecovery(int docs, long bytes, byte[] sha256, long zeroed, long knownDurable, int flags) {
        byte[] sha = sha256.clone();
        deferred = () -> writeRecoveryRecord(docs, bytes, sha, zeroed, knownDurable, flags);
    }

    private void writeDeferred() {
        if (deferred != null) {
            deferred.run();
            deferred = null;
        }
    }

    private long writeRecoveryRecord(int docs, long bytes, byte[] sha256, long zeroed, long knownDurable, int flags) {
        RecordFormat.putInt(walPayload, 0, docs);
        RecordFormat.putLong(walPayload, 4, bytes);
        System.arraycopy(sha256, 0, walPayload, 12, 32);
        RecordFormat.putLong(walPayload, 44, zeroed);
        RecordFormat.putLong(walPayload, 52, nextSeq - 1);
        RecordFormat.putLong(walPayload, 60, knownDurable);
        RecordFormat.putInt(walPayload, 68, flags);
        return write(Kinds.RECOVERY, walPayload, 0, Kinds.RECOVERY_LENGTH, false);
    }

    /** The NEW_LOG record right after the GENESIS of a log started in place of another. */
    long writeNewLog(NewLog n) {
        byte[] p = n.encode();
        return write(Kinds.NEW_LOG, p, 0, p.length, false);
    }

    /** The chained write. */
    private long write(int kind, byte[] p, int off, int len, boolean genesis) {
        log.checkUsable();
        long mono;
        long wall;
        if (systemClock) {
            // one clock read per record: the wall clock is the monotonic one plus an offset
            // re-read from the real-time clock at least every millisecond (ms resolution anyway)
            mono = System.nanoTime();
            if (mono - calibratedAt > 1_000_000L) {
                calibratedAt = mono;
                wallOffset = System.currentTimeMillis() * 1_000_000L - mono;
            }
            wall = genesis ? log.createdNanos() : mono + wallOffset;
        } else {
            mono = clock.monoNanos();
            wall = genesis ? log.createdNanos() : clock.wallNanos();
        }
        // Chronicle picks the cycle from this very reading; never backwards, or it would roll back
        long nowMillis = Math.max(lastNowMillis, systemClock ? wall / 1_000_000L : System.currentTimeMillis());
        lastNowMillis = nowMillis;
        appendTime.set(nowMillis);
        try {
            space.beforeAppend(space.cycle() == Integer.MIN_VALUE || nowMillis >= nextRollMillis);
        } catch (WalException.Full e) {
            log.health.ioFailure("append", e);
            throw e;
        }
        long seq = nextSeq;
        // EpochSchedule without a division per record: compare with the next boundaries
        int tp = !genesis && wall >= nextTimeBoundary ? timePart + 1 : timePart;
        int cp = seq >= nextCountBoundary ? schedule.countPart(seq) : countPart;
        int epoch = cp + tp;
        if (epoch != keys.epoch()) {
            evolve(epoch);
        }
        lastMono = mono;
        RecordFormat.writeHeader(header, seq, wall, mono, epoch, keys.keyId(), kind, len);
        mac.update(lastMac, 0, RecordFormat.MAC);
        mac.update(header, 0, RecordFormat.HEADER);
        mac.update(p, off, len);
        mac.doFinal(nextMac, 0);
        long end;
        int cycle;
        try {
            DocumentContext dc = out.writingDocument();
            try {
                Bytes<?> b = dc.wire().bytes();
                b.write(header, 0, RecordFormat.HEADER);
                b.write(p, off, len);
                b.write(nextMac, 0, RecordFormat.MAC);
                end = b.writePosition();
            } catch (Throwable t) {
                dc.rollbackOnClose();
                throw t;
            } finally {
                dc.close();
            }
            cycle = out.cycle();
            if (cycle != space.cycle()) {
                Path f = out.currentFile().toPath();
                log.syncer().newFile(f); // before the record is published as appended
                space.afterAppend(cycle, f, end);
                nextRollMillis = rollEpochMillis + (cycle + 1L) * rollLengthMillis;
            } else {
                space.afterAppend(cycle, null, end);
            }
        } catch (Throwable t) {
            throw log.health.fail("append of seq " + seq, t);
        }
        byte[] m = lastMac;
        lastMac = nextMac;
        nextMac = m;
        if (tp != timePart) {
            timePart = tp;
            nextTimeBoundary = schedule.timeBoundary(tp);
        }
        if (cp != countPart || seq >= nextCountBoundary) {
            countPart = cp;
            nextCountBoundary = schedule.countBoundary(cp);
        }
        nextSeq = seq + 1;
        APPENDED.setRelease(this, seq); // the syncer reads it; no full fence needed here
        if (kind != Kinds.SEAL) {
            recordsSinceSeal++;
        }
        log.health.appendSucceeded();
        log.metrics().appended(kind, seq, mono);
        return seq;
    }

    /**
     * Moves the key to {@code epoch}, overwriting the old key in memory, and hands a copy to the
     * syncer, which writes it to the key state file after the next fsync: that fsync covers every
     * record MACed with older keys, so the file never runs ahead of the durable log, and no fsync
     * runs on the append path. Until then the file lags by at most one group commit (a restart
     * evolves forward from it); the window in which a stolen file also opens the previous epoch.
     */
    private void evolve(int epoch) {
        if (epoch < keys.epoch()) {
            throw new WalException("record seq " + nextSeq + " needs key epoch " + epoch + " but the writer's key is at epoch "
                    + keys.epoch() + " (the clock went back across an epoch boundary?); retry later");
        }
        keys.evolveTo(epoch);
        mac.init(keys.key());
        log.syncer().keyStateDue(keys.copy(), logId);
    }

    public long appendedSeq() {
        return appendedSeq;
    }

    DurableSeal unsavedSeal() {
        return unsavedSeal.get();
    }

    void sealSaved(DurableSeal s) {
        unsavedSeal.compareAndSet(s, null);
    }

    void close() {
        keys.erase();
        mac.erase();
        space.close();
    }
}
