package dev.twinlane.siem;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.EpochSchedule;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;

/**
 * The consumer's view of one host's security log (one log id): which record must come next and
 * how to check it, from records that arrive one by one through Kafka. Applies the log's own
 * rules (wal's ChainState) to shipped records, with wal's public record layout, epoch schedule,
 * MAC and seal checks:
 *
 * <ul>
 * <li>with the HMAC root key: every record's MAC over the previous record's MAC, its key id and
 * its epoch against its position and time (forward security);</li>
 * <li>with the seal public key alone: each SEAL's Ed25519 signature and that it signs the MAC of
 * the record before it; and, without any key, that each record names the previous one's MAC.</li>
 * </ul>
 * A record that does not check leaves the state unchanged (its genuine copy may still come);
 * a seq already accepted is a duplicate, dropped when it is the same record and flagged when it
 * is not; a seq beyond the next one is a gap, flagged, after which the chain continues from the
 * record that arrived.
 */
final class ChainCheck {
    static final int WINDOW = 1 << 16;
    private static final int MAX_EPOCH_JUMP = 1_000_000;

    /** Outcome of {@link #offer}. */
    enum Verdict { ACCEPTED, DUPLICATE, REJECTED }

    /** Where findings go. */
    interface Findings {
        void alert(String failure, long seq, String detail);
    }

    final String logId;
    final byte[] logIdBytes;
    String host;
    private final KeyRing keys;
    private final byte[] sealPublicKey;
    private Genesis genesis;
    private EpochSchedule schedule;
    private boolean started;
    private long expected;
    private final byte[] lastMac = new byte[RecordFormat.MAC];
    private int timePart;
    private int lastEpoch;
    private int activeKeyId;
    private ChainVerifier.RecordMac epochKey;
    private Seal pendingSeal;
    private long lastSealed;
    private final RecentRecords recent;
    /** Checks the MAC of a copy of an accepted record (re-sends), apart from the chain's key, which only moves forward. */
    private ChainVerifier.RecordMac copies;
    private int copiesKeyId;
    long accepted;
    long duplicates;
    String lastVerification = "none";

    ChainCheck(String logId, KeyRing keys, byte[] sealPublicKey) {
        this.logId = logId;
        this.logIdBytes = HexFormat.of().parseHex(logId);
        this.keys = keys;
        this.sealPublicKey = sealPublicKey;
        this.recent = new RecentRecords(keys == null);
    }

    long expected() {
        return expected;
    }

    long lastSealed() {
        return lastSealed;
    }

    Seal pendingSeal() {
        return pendingSeal;
    }

    boolean hasGenesis() {
        return genesis != null;
    }

    /**
     * Learns the log's identity from the seals topic (its GENESIS record and MAC), for a
     * consumer that joins after seq 1. Checked with the root key when we have it.
     */
    void learnGenesis(byte[] record, byte[] mac, Findings f) {
        if (genesis != null || record.length < RecordFormat.HEADER || !RecordFormat.wellFormed(record, 0, record.length)) {
            return;
        }
        Genesis g = Genesis.decode(record, RecordFormat.HEADER, record.length - RecordFormat.HEADER);
        if (g == null || !Arrays.equals(g.logId(), logIdBytes)) {
            f.alert("modified", 1, "the seals topic carries a GENESIS that is not this log's");
            return;
        }
        if (keys != null) {
            KeyRing.RootKey root = keys.byId(RecordFormat.keyId(record, 0));
            if (root == null || !verifiesAlone(root, 0, g.mac0(), record, mac)) {
                f.alert(root == null ? "wrong-key" : "modified", 1, "the GENESIS on the seals topic does not verify");
                return;
            }
        }
        learn(g);
        if (started) {
            timePart = lastEpoch - schedule.countPart(expected - 1); // as the log's own recovery anchors
        }
    }

    /** One shipped record: {@code record} is header||payload, {@code prevMac}/{@code mac} as shipped. */
    Verdict offer(byte[] record, byte[] prevMac, byte[] mac, Findings f) {
        long seq = RecordFormat.seq(record, 0);
        int kind = RecordFormat.kind(record, 0);
        if (started && seq < expected) {
            return duplicate(record, prevMac, mac, seq, f);
        }
        if (!started && !(seq == 1 && kind == Kinds.GENESIS)) {
            // Joined mid-log: trust this record's link to its predecessor, check everything after it.
            String why = checkAnchor(record, prevMac, mac, seq);
            if (why != null) {
                f.alert(why.startsWith("wrong-key") ? "wrong-key" : "modified", seq, why);
                return Verdict.REJECTED;
            }
            anchor(record, mac, seq, "joined the log at seq " + seq);
            return Verdict.ACCEPTED;
        }
        if (started && seq > expected) {
            String why = checkAnchor(record, prevMac, mac, seq);
            if (why != null) {
                f.alert(why.startsWith("wrong-key") ? "wrong-key" : "modified", seq, why);
                return Verdict.REJECTED;
            }
            f.alert("missing", expected, "seq " + expected + (seq - 1 > expected ? ".." + (seq - 1) : "")
                    + " never arrived; the next record present is seq " + seq);
            anchor(record, mac, seq, "continued after a gap at seq " + seq);
            return Verdict.ACCEPTED;
        }
        String why = seq == 1 ? checkGenesis(record, prevMac, mac) : check(record, prevMac, mac, seq, kind);
        if (why != null) {
            f.alert(classify(why), seq, why);
            return Verdict.REJECTED;
        }
        advance(record, mac, seq, kind, f);
        return Verdict.ACCEPTED;
    }

    private static String classify(String why) {
        if (why.startsWith("wrong-key")) {
            return "wrong-key";
        }
        if (why.startsWith("inserted")) {
            return "inserted";
        }
        return "modified";
    }

    private Verdict duplicate(byte[] record, byte[] prevMac, byte[] mac, long seq, Findings f) {
        if (!recent.has(seq)) {
            duplicates++;
            return Verdict.DUPLICATE; // older than the window: dropped unchecked (counted)
        }
        if (recent.macIs(seq, mac) && sameRecord(seq, record, prevMac, mac)) {
            duplicates++;
            return Verdict.DUPLICATE;
        }
        f.alert("modified", seq, "a second, different record claims seq " + seq + " (already accepted)");
        return Verdict.REJECTED;
    }

    /**
     * Whether a copy with the accepted MAC is the accepted record: by its digest without a root
     * key; with one, by its MAC, which then cannot verify over other bytes (that would be a
     * collision). So only re-sends pay for the check, not every record a digest.
     */
    private boolean sameRecord(long seq, byte[] record, byte[] prevMac, byte[] mac) {
        if (recent.keepsDigests()) {
            return recent.bytesAre(seq, record);
        }
        int keyId = RecordFormat.keyId(record, 0);
        if (copies == null || copiesKeyId != keyId) {
            KeyRing.RootKey root = keys.byId(keyId);
            if (root == null) {
                return false;
            }
            if (copies != null) {
                copies.erase();
            }
            copies = new ChainVerifier.RecordMac(root, logIdBytes);
            copiesKeyId = keyId;
        }
        return copies.verifies(RecordFormat.epoch(record, 0), prevMac, record, 0, record.length, mac);
    }

    private String checkGenesis(byte[] record, byte[] prevMac, byte[] mac) {
        Genesis g = Genesis.decode(record, RecordFormat.HEADER, record.length - RecordFormat.HEADER);
        if (g == null || RecordFormat.kind(record, 0) != Kinds.GENESIS) {
            return "seq 1 is not a GENESIS record";
        }
        if (!Arrays.equals(g.logId(), logIdBytes)) {
            return "the GENESIS names log " + HexFormat.of().formatHex(g.logId()) + ", the message log " + logId;
        }
        if (!MessageDigest.isEqual(prevMac, g.mac0())) {
            return "inserted: prev_mac of the GENESIS is not MAC_0 of its payload";
        }
        if (RecordFormat.epoch(record, 0) != 0) {
            return "wrong-key: the GENESIS is not in epoch 0";
        }
        if (sealPublicKey != null && g.sealed() && !Arrays.equals(sealPublicKey, g.sealPublicKey())) {
            return "wrong-key: the log's GENESIS names another seal public key than the one given";
        }
        if (keys != null) {
            KeyRing.RootKey root = keys.byId(RecordFormat.keyId(record, 0));
            if (root == null) {
                return "wrong-key: GENESIS names key " + KeyRing.idHex(RecordFormat.keyId(record, 0))
                        + ", which is not in the key file(s)";
            }
            ChainVerifier.RecordMac k = new ChainVerifier.RecordMac(root, logIdBytes);
            if (!k.verifies(0, prevMac, record, 0, record.length, mac)) {
                k.erase();
                return "GENESIS MAC does not verify";
            }
            epochKey = k;
        }
        learn(g);
        timePart = 0;
        return null;
    }

    /** The checks of a record that is the next one of the chain. */
    private String check(byte[] record, byte[] prevMac, byte[] mac, long seq, int kind) {
        if (!MessageDigest.isEqual(prevMac, lastMac)) {
            return "inserted: prev_mac is not the MAC of seq " + (seq - 1);
        }
        int epoch = RecordFormat.epoch(record, 0);
        int keyId = RecordFormat.keyId(record, 0);
        if (keys != null && keyId != activeKeyId) {
            return "wrong-key: record names key " + KeyRing.idHex(keyId) + ", the chain is at key "
                    + KeyRing.idHex(activeKeyId);
        }
        if (genesis != null) {
            int want = schedule.epoch(seq, schedule.nextTimePart(timePart, RecordFormat.wallNanos(record, 0)));
            if (epoch != want) {
                return "wrong-key: epoch " + epoch + " where its position and time require " + want;
            }
        } else if (epoch < lastEpoch || epoch > lastEpoch + MAX_EPOCH_JUMP) {
            return "wrong-key: epoch " + epoch + " after epoch " + lastEpoch;
        }
        if (keys != null) {
            if (epochKey == null) {
                return "wrong-key: key " + KeyRing.idHex(activeKeyId) + " is not in the key file(s)";
            }
            if (!epochKey.verifies(epoch, prevMac, record, 0, record.length, mac)) {
                return "MAC does not verify";
            }
        }
        if (kind == Kinds.SEAL) {
            return checkSeal(record, seq);
        }
        return null;
    }

    /** A record we cannot link to its predecessor (first one seen, or after a gap): its own MAC. */
    private String checkAnchor(byte[] record, byte[] prevMac, byte[] mac, long seq) {
        if (keys == null) {
            return null;
        }
        int keyId = RecordFormat.keyId(record, 0);
        KeyRing.RootKey root = keys.byId(keyId);
        if (root == null) {
            return "wrong-key: record names key " + KeyRing.idHex(keyId) + ", which is not in the key file(s)";
        }
        int epoch = RecordFormat.epoch(record, 0);
        if (started && (epoch < lastEpoch || epoch > lastEpoch + MAX_EPOCH_JUMP)) {
            return "wrong-key: epoch " + epoch + " after epoch " + lastEpoch;
        }
        if (!verifiesAlone(root, epoch, prevMac, record, mac)) {
            return "MAC does not verify";
        }
        return null;
    }

    private boolean verifiesAlone(KeyRing.RootKey root, int epoch, byte[] prevMac, byte[] record, byte[] mac) {
        ChainVerifier.RecordMac v = new ChainVerifier.RecordMac(root, logIdBytes);
        try {
            return v.verifies(epoch, prevMac, record, 0, record.length, mac);
        } finally {
            v.erase();
        }
    }

    private void learn(Genesis g) {
        genesis = g;
        schedule = g.schedule();
    }

    private void anchor(byte[] record, byte[] mac, long seq, String how) {
        started = true;
        int keyId = RecordFormat.keyId(record, 0);
        int epoch = RecordFormat.epoch(record, 0);
        setKey(keyId);
        lastEpoch = epoch;
        timePart = genesis == null ? 0 : epoch - schedule.countPart(seq);
        finishAccept(record, mac, seq, RecordFormat.kind(record, 0), null);
        lastVerification = how;
    }

    private void setKey(int keyId) {
        activeKeyId = keyId;
        if (keys != null) {
            KeyRing.RootKey root = keys.byId(keyId);
            if (epochKey != null) {
                epochKey.erase();
            }
            epochKey = root == null ? null : new ChainVerifier.RecordMac(root, logIdBytes);
        }
    }

    private void advance(byte[] record, byte[] mac, long seq, int kind, Findings f) {
        if (seq == 1) {
            started = true;
            activeKeyId = RecordFormat.keyId(record, 0);
        } else if (genesis != null) {
            timePart = schedule.nextTimePart(timePart, RecordFormat.wallNanos(record, 0));
        }
        lastEpoch = RecordFormat.epoch(record, 0);
        finishAccept(record, mac, seq, kind, f);
    }

    private void finishAccept(byte[] record, byte[] mac, long seq, int kind, Findings f) {
        System.arraycopy(mac, 0, lastMac, 0, RecordFormat.MAC);
        expected = seq + 1;
        recent.add(seq, mac, record);
        accepted++;
        lastVerification = keys != null ? "hmac" : "linked";
        if (kind == Kinds.ROTATE && record.length == RecordFormat.HEADER + 4) {
            setKey(RecordFormat.getInt(record, RecordFormat.HEADER)); // later records use the new root key
        }
        if (pendingSeal != null && pendingSeal.seq() == seq && f != null) {
            Seal s = pendingSeal;
            pendingSeal = null;
            sealMatches(s, f);
        }
    }

    /** A SEAL record in the chain: signs the record before it. */
    private String checkSeal(byte[] record, long seq) {
        Seal s = Seal.decode(record, RecordFormat.HEADER, record.length - RecordFormat.HEADER);
        if (s == null || !s.describes(seq - 1, lastMac, logIdBytes)) {
            return "SEAL does not describe the record before it";
        }
        byte[] pub = publicKey();
        if (pub != null && !s.verify(pub)) {
            return "SEAL signature does not verify with the seal public key";
        }
        lastSealed = Math.max(lastSealed, s.seq());
        return null;
    }

    /** A seal from the seals topic: its signature now, its MAC once the sealed record is here. */
    void offerSeal(Seal s, Findings f) {
        byte[] pub = publicKey();
        if (!Arrays.equals(s.logId(), logIdBytes)) {
            f.alert("modified", s.seq(), "a seal of log " + HexFormat.of().formatHex(s.logId()) + " under key " + logId);
            return;
        }
        if (pub != null && !s.verify(pub)) {
            f.alert("modified", s.seq(), "the seal on the seals topic does not verify with the seal public key");
            return;
        }
        if (started && s.seq() < expected) {
            sealMatches(s, f);
        } else if (pendingSeal == null || s.seq() > pendingSeal.seq()) {
            pendingSeal = s;
        }
    }

    private void sealMatches(Seal s, Findings f) {
        if (!recent.has(s.seq())) {
            return; // too old to compare
        }
        if (!recent.macIs(s.seq(), s.mac())) {
            f.alert("modified", s.seq(), "the record at seq " + s.seq() + " is not the one its seal signed");
        } else {
            lastSealed = Math.max(lastSealed, s.seq());
        }
    }

    /** The seal public key: the one given, else the one the log's GENESIS names; null when neither is known. */
    byte[] publicKey() {
        if (sealPublicKey != null) {
            return sealPublicKey;
        }
        return genesis != null && genesis.sealed() ? genesis.sealPublicKey() : null;
    }
}
