package dev.twinlane.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordStruct;

/**
 * A policy event (struct tl_policy_event, kind TL_KIND_POLICY) as the bytes of a security
 * record, so that it is chained in the security log like a kernel record. The agent makes one
 * per apply, refusal, rollback, mode change, deadman lapse, break-glass, revert and tampering found, and hands it
 * to the router's security thread (the lane's one publisher), which publishes it in order.
 */
public record PolicyEvent(Kind kind, int mode, int reason, long version, long previousVersion, long applyNanos,
        byte[] digest, String detail) {

    /** enum tl_policy_event_kind. */
    public enum Kind {
        APPLY(1), REFUSAL(2), ROLLBACK(3), MODE_CHANGE(4), DEADMAN_LAPSE(5), BREAK_GLASS(6), REVERT(7), TAMPER(8);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static final int SOURCE_USER = 5;    // TL_SRC_USER
    private static final byte[] COMM = "twinlane".getBytes(StandardCharsets.US_ASCII);

    public PolicyEvent {
        digest = digest == null ? new byte[32] : digest.clone();
        if (digest.length != 32) {
            throw new IllegalArgumentException("a policy digest is 32 bytes (SHA-256), not " + digest.length);
        }
        detail = detail == null ? "" : detail;
    }

    /** The record, its header the agent's (pid, boot time now, source user; start_ns 0). */
    public byte[] toRecord(int agentPid, long bootNanos) {
        RecordStruct s = RecordLayout.POLICY;
        ByteBuffer b = ByteBuffer.allocate(s.size()).order(ByteOrder.nativeOrder());
        b.putShort(at("kind"), (short) RecordKind.POLICY.code());
        b.putShort(at("size"), (short) s.size());
        b.putLong(at("ktime_ns"), bootNanos);
        b.putInt(at("tgid"), agentPid);
        b.putInt(at("tid"), agentPid);
        b.put(at("source"), (byte) SOURCE_USER);
        b.put(at("comm"), COMM);
        b.put(at("event"), (byte) kind.code());
        b.put(at("mode"), (byte) mode);
        b.put(at("reason"), (byte) reason);
        b.putLong(at("version"), version);
        b.putLong(at("previous_version"), previousVersion);
        b.putLong(at("apply_ns"), applyNanos);
        b.put(at("digest"), digest);
        byte[] text = detail.getBytes(StandardCharsets.UTF_8);
        b.putInt(at("detail_len"), text.length);
        // Truncated with its true length beside it; the last byte stays NUL.
        b.put(at("detail"), text, 0, Math.min(text.length, RecordLayout.DETAIL_MAX - 1));
        return b.array();
    }

    private static int at(String field) {
        return RecordLayout.POLICY.field(field).offset();
    }
}
