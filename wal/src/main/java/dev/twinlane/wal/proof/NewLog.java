package dev.twinlane.wal.proof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The payload of a {@link Kinds#NEW_LOG} record: why this log was started in place of another.
 */
public final class NewLog {
    /** Texts are cut to this many bytes of UTF-8. */
    static final int MAX_TEXT = 2048;

    private final byte[] previousLogId;
    private final long previousLastSeq;
    private final long firstBadSeq;
    private final int cause;
    private final String reason;
    private final String problem;

    public NewLog(byte[] previousLogId, long previousLastSeq, long firstBadSeq, int cause, String reason, String problem) {
        this.previousLogId = previousLogId == null ? new byte[16] : previousLogId.clone();
        this.previousLastSeq = previousLastSeq;
        this.firstBadSeq = firstBadSeq;
        this.cause = cause;
        this.reason = reason;
        this.problem = problem;
    }

    /** The log given up (all zero when it is not known). */
    public byte[] previousLogId() {
        return previousLogId.clone();
    }

    public String previousLogIdHex() {
        return HexFormat.of().formatHex(previousLogId);
    }

    /** Its last seq known good (verified, or known durable). */
    public long previousLastSeq() {
        return previousLastSeq;
    }

    /** Its first seq found damaged (0 when the problem was not damage at a seq). */
    public long firstBadSeq() {
        return firstBadSeq;
    }

    /** 1 damaged, 2 missing, 3 another log in its place, 4 shorter than it was durable. */
    public int cause() {
        return cause;
    }

    public String causeName() {
        switch (cause) {
            case 1: return "damaged";
            case 2: return "missing";
            case 3: return "foreign";
            case 4: return "behind";
            default: return "cause-" + cause;
        }
    }

    /** The operator's reason for starting a new log. */
    public String reason() {
        return reason;
    }

    /** What the start found, as the refusal said it. */
    public String problem() {
        return problem;
    }

    /** The NEW_LOG payload. */
    public byte[] encode() {
        byte[] r = cut(reason);
        byte[] p = cut(problem);
        byte[] out = new byte[38 + r.length + p.length];
        System.arraycopy(previousLogId, 0, out, 0, 16);
        RecordFormat.putLong(out, 16, previousLastSeq);
        RecordFormat.putLong(out, 24, firstBadSeq);
        RecordFormat.putU16(out, 32, cause);
        RecordFormat.putU16(out, 34, r.length);
        System.arraycopy(r, 0, out, 36, r.length);
        RecordFormat.putU16(out, 36 + r.length, p.length);
        System.arraycopy(p, 0, out, 38 + r.length, p.length);
        return out;
    }

    private static byte[] cut(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_TEXT ? b : Arrays.copyOf(b, MAX_TEXT);
    }

    /** The NEW_LOG payload at {@code off}, or null when the bytes are not one. */
    public static NewLog decode(byte[] b, int off, int len) {
        if (len < 38) {
            return null;
        }
        int r = RecordFormat.getU16(b, off + 34);
        if (36 + r + 2 > len) {
            return null;
        }
        int p = RecordFormat.getU16(b, off + 36 + r);
        if (38 + r + p != len) {
            return null;
        }
        return new NewLog(Arrays.copyOfRange(b, off, off + 16), RecordFormat.getLong(b, off + 16),
                RecordFormat.getLong(b, off + 24), RecordFormat.getU16(b, off + 32),
                new String(b, off + 36, r, StandardCharsets.UTF_8), new String(b, off + 38 + r, p, StandardCharsets.UTF_8));
    }
}
