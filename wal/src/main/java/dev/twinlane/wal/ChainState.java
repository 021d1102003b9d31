package dev.twinlane.wal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import dev.twinlane.wal.proof.EpochSchedule;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * The verifier's view of a chain: which record must come next and how to check it. Used by
 * {@link ChainVerifier} from the genesis and by the writer's recovery from a trusted tail
 * record. {@link #accept} advances only when the record checks; otherwise it says why and the
 * state is unchanged, so a caller can look further without losing its place.
 */
final class ChainState {
    final Genesis genesis;
    final EpochSchedule schedule;
    final KeyRing ring;
    /** The writer's key state (no root key): derives the keys of its key id from its epoch on. */
    private final EpochKeys stateKeys;
    /**
     * The writer's recovery from its key state: records it holds no key for (an earlier epoch, or
     * an older root key) are checked for everything but their MAC, which nobody on this host can
     * check any more (forward security); see {@link #check}.
     */
    private boolean trustBeforeKeys;
    private final HmacSha256 hmac = new HmacSha256();
    private KeyRing.RootKey active;
    private int activeId;
    private int pendingKeyId;
    private EpochKeys keys;
    private byte[] prevMac;
    private long expectSeq;
    private int timePart;
    private long lastEpochSeen;

    private ChainState(Genesis genesis, KeyRing ring, EpochKeys stateKeys) {
        this.genesis = genesis;
        this.schedule = genesis.schedule();
        this.ring = ring;
        this.stateKeys = stateKeys;
    }

    /** Keys of root key {@code id} from its epoch 0 (or from the key state's epoch), or null. */
    private EpochKeys startKeys(int id) {
        KeyRing.RootKey root = ring == null ? null : ring.byId(id);
        active = root;
        activeId = id;
        if (root != null) {
            EpochKeys k = new EpochKeys();
            k.start(root, genesis.logId());
            return k;
        }
        return stateKeys != null && stateKeys.keyId() == id ? stateKeys.copy() : null;
    }

    /** Starts at the genesis record; returns null with {@code why[0]} set when it does not check. */
    static ChainState fromGenesis(byte[] doc, KeyRing ring, String[] why) {
        return fromGenesis(doc, ring, null, why);
    }

    /** Like {@link #fromGenesis(byte[], KeyRing, String[])}, with the writer's key state as well. */
    static ChainState fromGenesis(byte[] doc, KeyRing ring, EpochKeys stateKeys, String[] why) {
        return fromGenesis(doc, ring, stateKeys, false, why);
    }

    /**
     * Like {@link #fromGenesis(byte[], KeyRing, EpochKeys, String[])}; {@code trust}: the writer's
     * recovery from its key state, which cannot check the MACs of records before the state's epoch.
     */
    static ChainState fromGenesis(byte[] doc, KeyRing ring, EpochKeys stateKeys, boolean trust, String[] why) {
        if (!StoredRecord.wellFormed(doc) || StoredRecord.kind(doc) != Kinds.GENESIS || StoredRecord.seq(doc) != 1) {
            why[0] = "not a GENESIS record";
            return null;
        }
        Genesis g = Genesis.decode(doc, RecordFormat.HEADER, StoredRecord.payloadLength(doc));
        if (g == null) {
            why[0] = "GENESIS payload is malformed";
            return null;
        }
        ChainState s = new ChainState(g, ring, stateKeys);
        s.trustBeforeKeys = trust;
        s.keys = s.startKeys(StoredRecord.keyId(doc));
        boolean checkable = s.keys != null && s.keys.epoch() == 0;
        if (s.keys == null && !trust) {
            why[0] = "wrong-key";
            return s;
        }
        if (!checkable && !trust) {
            why[0] = "the GENESIS record needs the key of epoch 0";
            return s;
        }
        s.prevMac = g.mac0();
        s.expectSeq = 1;
        s.timePart = 0;
        if (StoredRecord.epoch(doc) != 0 || checkable && !StoredRecord.macMatches(doc, s.prevMac, s.keys.key(), s.hmac)) {
            why[0] = "GENESIS MAC does not verify";
            return s;
        }
        s.advance(doc, 0);
        return s;
    }

    /**
     * Positioned just before the SEAL record {@code sealRecord} that carried {@code seal}: the
     * chain continues from the sealed record's MAC, which the seal's signature vouches for (the
     * caller checks it, and that the record carries this very seal), so the records before it
     * need not be read. The SEAL record itself is then the first to {@link #accept}. Throws a
     * WalException when no key for the record's key id is held (and {@code trust} is off).
     */
    static ChainState fromSeal(Genesis g, KeyRing ring, EpochKeys stateKeys, boolean trust, DurableSeal seal, byte[] sealRecord) {
        ChainState s = new ChainState(g, ring, stateKeys);
        s.trustBeforeKeys = trust;
        int id = StoredRecord.keyId(sealRecord);
        s.keys = s.startKeys(id);
        if (s.keys == null && !trust) {
            throw new WalException("the log's latest records use key " + KeyRing.idHex(id) + ", which is not in the "
                    + (ring != null ? "key file(s) " + ring.files() : "key state file"));
        }
        long seq = StoredRecord.seq(sealRecord);
        int epoch = StoredRecord.epoch(sealRecord);
        if (s.keys != null && epoch > s.keys.epoch()) {
            s.keys.evolveTo(epoch);
        }
        s.pendingKeyId = id;
        s.prevMac = seal.mac.clone();
        s.expectSeq = seal.seq + 1;
        // the time part of the sealed record: the SEAL's own, or one less when that reproduces its epoch
        int tp = Math.max(0, epoch - s.schedule.countPart(seq));
        s.timePart = tp > 0 && s.schedule.nextTimePart(tp - 1, StoredRecord.wallNanos(sealRecord)) == tp ? tp - 1 : tp;
        s.lastEpochSeen = epoch;
        return s;
    }

    /** Starts after {@code anchor}, trusting it (the writer's recovery of a long log). */
    static ChainState fromAnchor(Genesis g, KeyRing ring, byte[] anchor, int rotatedKeyId) {
        return fromAnchor(g, ring, null, anchor, rotatedKeyId);
    }

    /**
     * Like {@link #fromAnchor(Genesis, KeyRing, byte[], int)}, with the writer's key state: the
     * anchor is trusted, so only the key that continues after it is needed.
     */
    static ChainState fromAnchor(Genesis g, KeyRing ring, EpochKeys stateKeys, byte[] anchor, int rotatedKeyId) {
        return fromAnchor(g, ring, stateKeys, false, anchor, rotatedKeyId);
    }

    static ChainState fromAnchor(Genesis g, KeyRing ring, EpochKeys stateKeys, boolean trust, byte[] anchor,
                                 int rotatedKeyId) {
        ChainState s = new ChainState(g, ring, stateKeys);
        s.trustBeforeKeys = trust;
        boolean rotates = StoredRecord.kind(anchor) == Kinds.ROTATE && rotatedKeyId == 0;
        int id = rotatedKeyId != 0 ? rotatedKeyId
                : rotates ? RecordFormat.getInt(anchor, RecordFormat.HEADER) : StoredRecord.keyId(anchor);
        s.keys = s.startKeys(id);
        if (s.keys == null && !trust) {
            throw new WalException("the log's latest records use key " + KeyRing.idHex(id) + ", which is not in the "
                    + (ring != null ? "key file(s) " + ring.files() : "key state file (it holds key "
                    + KeyRing.idHex(stateKeys.keyId()) + ")"));
        }
        int epoch = StoredRecord.epoch(anchor);
        if (!rotates && s.keys != null && epoch > s.keys.epoch()) {
            s.keys.evolveTo(epoch);
        }
        s.pendingKeyId = id;
        s.prevMac = StoredRecord.mac(anchor);
        s.expectSeq = StoredRecord.seq(anchor) + 1;
        s.timePart = epoch - s.schedule.countPart(StoredRecord.seq(anchor));
        s.lastEpochSeen = epoch;
        return s;
    }

    /** Null when {@code doc} is the next record (state advanced), else the reason it is not. */
    String accept(byte[] doc) {
        return check(doc, true);
    }

    /** Like {@link #accept} but never advances. */
    String check(byte[] doc) {
        return check(doc, false);
    }

    private String check(byte[] doc, boolean advance) {
        if (!StoredRecord.wellFormed(doc)) {
            return "malformed record (length or version fields do not agree)";
        }
        long seq = StoredRecord.seq(doc);
        if (seq != expectSeq) {
            return "found seq " + seq;
        }
        if (keys == null && !trustBeforeKeys) {
            return "wrong-key: key " + KeyRing.idHex(pendingKeyId) + " (named by a ROTATE record) is not in the key files";
        }
        if (StoredRecord.keyId(doc) != activeId) {
            return "wrong-key: record names key " + KeyRing.idHex(StoredRecord.keyId(doc)) + ", the chain is at key "
                    + KeyRing.idHex(activeId);
        }
        int tp = schedule.nextTimePart(timePart, StoredRecord.wallNanos(doc));
        int epoch = schedule.epoch(seq, tp);
        if (StoredRecord.epoch(doc) != epoch) {
            return "epoch " + StoredRecord.epoch(doc) + " where its position and time require " + epoch;
        }
        EpochKeys k = keys == null ? null : keysAt(epoch);
        if (k == null && !trustBeforeKeys) {
            return "epoch " + epoch + " is older than the key held (epoch " + keys.epoch() + ")";
        }
        String problem = null;
        if (k != null && !StoredRecord.macMatches(doc, prevMac, k.key(), hmac)) {
            problem = "MAC does not verify";
        } else if (StoredRecord.kind(doc) == Kinds.SEAL) {
            problem = checkSeal(doc);
        }
        if (problem != null || !advance) {
            if (k != null && k != keys) {
                k.erase();
            }
            return problem;
        }
        if (k != null && k != keys) {
            keys.erase();
            keys = k;
        }
        advance(doc, tp);
        return null;
    }



    private EpochKeys keysAt(int epoch) {
        if (epoch == keys.epoch()) {
            return keys;
        }
        if (epoch < keys.epoch()) {
            return null; // only a key state that starts later than this record; never from a root key
        }
        EpochKeys k = keys.copy();
        k.evolveTo(epoch);
        return k;
    }

    private String checkSeal(byte[] doc) {
        DurableSeal s = DurableSeal.decode(doc, RecordFormat.HEADER, StoredRecord.payloadLength(doc), StoredRecord.seq(doc));
        if (s == null || !s.describes(expectSeq - 1, prevMac, genesis.logId())) {
            return "SEAL does not describe the record before it";
        }
        if (genesis.sealed() && !s.verify(genesis.sealPublicKey())) {
            return "SEAL signature does not verify";
        }
        return null;
    }

    private void advance(byte[] doc, int tp) {
        prevMac = StoredRecord.mac(doc);
        expectSeq = StoredRecord.seq(doc) + 1;
        timePart = tp;
        lastEpochSeen = StoredRecord.epoch(doc);
        if (StoredRecord.kind(doc) == Kinds.ROTATE) {
            rotateTo(RecordFormat.getInt(doc, RecordFormat.HEADER));
        }
    }

    private void rotateTo(int keyId) {
        pendingKeyId = keyId;
        EpochKeys k = startKeys(keyId);
        if (keys != null) {
            keys.erase();
        }
        keys = k;
    }

    /**
     * True when {@code recovery} is a RECOVERY record that is the next record of the chain and
     * names exactly {@code docs} torn documents with SHA-256 {@code sha} as the ones it discarded.
     */
    boolean recoveryCovers(byte[] recovery, int docs, byte[] sha) {
        int len = StoredRecord.wellFormed(recovery) ? StoredRecord.payloadLength(recovery) : -1;
        if (StoredRecord.kind(recovery) != Kinds.RECOVERY || len != Kinds.RECOVERY_V1_LENGTH && len != Kinds.RECOVERY_LENGTH) {
            return false;
        }
        if (len == Kinds.RECOVERY_LENGTH
                && RecordFormat.getLong(recovery, RecordFormat.HEADER + 52) != StoredRecord.seq(recovery) - 1) {
            return false; // it names another record as the one the chain continues from
        }
        if (RecordFormat.getInt(recovery, RecordFormat.HEADER) != docs
                || !Arrays.equals(sha, 0, 32, recovery, RecordFormat.HEADER + 12, RecordFormat.HEADER + 44)) {
            return false;
        }
        return accept(recovery) == null;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code doc} carries a MAC made with {@code root}'s key of {@code epoch} over {@code prev}. */
    boolean macWith(byte[] doc, byte[] prev, KeyRing.RootKey root, int epoch) {
        byte[] key = EpochKeys.keyAt(root, genesis.logId(), epoch);
        try {
            return StoredRecord.macMatches(doc, prev, key, new HmacSha256());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** First epoch after {@code from} up to {@code to} whose key makes {@code doc}'s MAC verify, or -1. */
    int laterEpochThatVerifies(byte[] doc, int from, int to) {
        if (keys == null) {
            return -1;
        }
        EpochKeys k = keys.copy();
        HmacSha256 h = new HmacSha256();
        try {
            if (k.epoch() > from) {
                return -1;
            }
            k.evolveTo(from);
            for (int e = from + 1; e <= to; e++) {
                k.evolveTo(e);
                if (StoredRecord.macMatches(doc, prevMac, k.key(), h)) {
                    return e;
                }
            }
            return -1;
        } finally {
            k.erase();
        }
    }

    int expectedEpoch(byte[] doc) {
        return schedule.epoch(expectSeq, schedule.nextTimePart(timePart, StoredRecord.wallNanos(doc)));
    }

    long expectSeq() {
        return expectSeq;
    }

    byte[] prevMac() {
        return prevMac;
    }

    KeyRing.RootKey active() {
        return active;
    }

    /** Id of the key the chain continues with (after any ROTATE), known or not. */
    int activeId() {
        return activeId;
    }

    /** A copy of the current epoch keys (the caller erases it), or null when the key is not held. */
    EpochKeys keysCopy() {
        return keys == null ? null : keys.copy();
    }

    long lastEpochSeen() {
        return lastEpochSeen;
    }

    int timePart() {
        return timePart;
    }
}
