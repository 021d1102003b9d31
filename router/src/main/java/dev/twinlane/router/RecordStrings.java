package dev.twinlane.router;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Detector;
import dev.twinlane.detector.Finding;
import dev.twinlane.detector.ThreatClass;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The strings of a record, scanned by a {@link Detector} of this thread's own: exec filename and
 * argv (each element and joined), file_open and kernel_read paths, and the header's comm of any
 * other kind. A comm equal to the last clean one is not scanned again (a process sends many
 * records), nor a path among those lately found clean ({@link CleanPaths}). Thread-confined;
 * copies each string once into a reused buffer, allocates nothing.
 */
final class RecordStrings {
    static final int COMM = RecordLayout.HEADER.field("comm").offset();
    private static final int EXEC_FILENAME = RecordLayout.EXEC.field("filename").offset();
    private static final int EXEC_ARGS = RecordLayout.EXEC.field("args").offset();
    private static final int EXEC_ARGS_LEN = RecordLayout.EXEC.field("args_len").offset();
    private static final int OPEN_PATH = RecordLayout.FILE_OPEN.field("path").offset();
    private static final int READ_PATH = RecordLayout.KERNEL_READ.field("path").offset();
    private static final int TGID = RecordLayout.HEADER.field("tgid").offset();
    private static final byte[] PROC = "/proc/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SELF = "self/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] THREAD_SELF = "thread-self/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Detector detector;
    private final CleanPaths cleanPaths = new CleanPaths();
    private final byte[] text = new byte[RecordLayout.ARGS_MAX];
    private int textLength;
    private final long[] reported = new long[ThreatClass.values().length];
    private long cleanCommLow;
    private long cleanCommHigh;

    RecordStrings(DetectionRules rules) {
        this.detector = new Detector(rules);
    }

    Detector detector() {
        return detector;
    }

    /** Findings of this class reported (a detection record each). */
    long reported(ThreatClass c) {
        return reported[c.ordinal()];
    }

    /** The field a payload was found in ({@code out} filled, span within that field), or null. */
    DetectionField scan(RecordView r, Finding out) {
        DetectionField f = scanFields(r, out);
        if (f != null) {
            reported[out.threatClass().ordinal()]++;
        }
        return f;
    }

    private DetectionField scanFields(RecordView r, Finding out) {
        RecordKind k = r.kind();
        if (k == null || k.layout() == RecordLayout.LOADGEN || k == RecordKind.POLICY || k == RecordKind.DETECTION) {
            return null; // no header, or written by the agent itself
        }
        switch (k) {
            case EXEC:
                if (scanText(r, EXEC_FILENAME, RecordLayout.PATH_MAX, out)) {
                    return DetectionField.EXEC_FILENAME;
                }
                return scanArgs(r, out) ? DetectionField.EXEC_ARGS : null;
            case FILE_OPEN:
                return scanOpened(r, OPEN_PATH, out) ? DetectionField.FILE_PATH : scanComm(r, out);
            case KERNEL_READ:
                return scanOpened(r, READ_PATH, out) ? DetectionField.KERNEL_READ_PATH : scanComm(r, out);
            default:
                return scanComm(r, out);
        }
    }

    /**
     * A path a process really opened. Its own /proc entries (/proc/self/, /proc/thread-self/,
     * /proc/TGID/) are how programs read their own state: a JVM reads /proc/self/maps for every
     * thread it starts. The rules that take a bare sensitive path for a path traversal are right
     * about a string in an argument, not about such an open, so a path traversal finding there
     * is not reported unless the path climbs ("..") out of it. Other classes (a payload in a
     * file name under /proc/self/cwd/, say) are.
     */
    private boolean scanOpened(RecordView r, int offset, Finding out) {
        int len = copyText(r, offset, RecordLayout.PATH_MAX);
        if (len == 0) {
            return false;
        }
        long hash = len <= CleanPaths.MAX ? CleanPaths.hash(text, len) : 0;
        if (len <= CleanPaths.MAX && cleanPaths.contains(text, len, hash)) {
            return false;
        }
        if (!detector.scan(text, 0, len, out)) {
            cleanPaths.add(text, len, hash);
            return false;
        }
        return out.threatClass() != ThreatClass.PATH_TRAVERSAL || !ownProcEntry(r.s32(TGID));
    }

    private boolean ownProcEntry(int tgid) {
        int i = skip(text, 0, PROC);
        if (i < 0) {
            return false;
        }
        int rest = skip(text, i, SELF);
        if (rest < 0) {
            rest = skip(text, i, THREAD_SELF);
        }
        if (rest < 0) {
            rest = skipNumber(i, tgid);
        }
        if (rest < 0) {
            return false;
        }
        for (int k = rest; k + 1 < textLength; k++) {
            if (text[k] == '.' && text[k + 1] == '.') {
                return false;
            }
        }
        return true;
    }

    /** The index after {@code prefix} at {@code at} of the text, or -1. */
    private int skip(byte[] t, int at, byte[] prefix) {
        if (at + prefix.length > textLength) {
            return -1;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (t[at + k] != prefix[k]) {
                return -1;
            }
        }
        return at + prefix.length;
    }

    /** The index after "TGID/" at {@code at}, or -1 (digits compared without a String). */
    private int skipNumber(int at, int tgid) {
        int digits = 1;
        for (int v = tgid; v >= 10; v /= 10) {
            digits++;
        }
        if (tgid <= 0 || at + digits >= textLength || text[at + digits] != '/') {
            return -1;
        }
        for (int k = at + digits - 1, v = tgid; k >= at; k--, v /= 10) {
            if (text[k] != '0' + v % 10) {
                return -1;
            }
        }
        return at + digits + 1;
    }

    /** The header's comm: {@link DetectionField#COMM} when flagged, else null. */
    DetectionField scanComm(RecordView r, Finding out) {
        long low = r.s64(COMM);
        long high = r.s64(COMM + 8);
        if (low == cleanCommLow && high == cleanCommHigh && (low | high) != 0) {
            return null;
        }
        if (scanText(r, COMM, RecordLayout.COMM_LEN, out)) {
            return DetectionField.COMM;
        }
        cleanCommLow = low;
        cleanCommHigh = high;
        return null;
    }

    private boolean scanText(RecordView r, int offset, int max, Finding out) {
        int len = copyText(r, offset, max);
        return len > 0 && detector.scan(text, 0, len, out);
    }

    /** Copies the NUL-terminated string at {@code offset} into the text buffer; returns its length. */
    private int copyText(RecordView r, int offset, int max) {
        int n = Math.min(max, r.length() - offset);
        if (n <= 0) {
            return textLength = 0;
        }
        r.copyTo(offset, n, text, 0);
        int len = 0;
        while (len < n && text[len] != 0) {
            len++;
        }
        return textLength = len;
    }

    private boolean scanArgs(RecordView r, Finding out) {
        int len = (int) Math.min(r.u32(EXEC_ARGS_LEN), RecordLayout.ARGS_MAX);
        if (len <= 0) {
            return false;
        }
        r.copyTo(EXEC_ARGS, len, text, 0);
        while (len > 0 && text[len - 1] == 0) {
            len--;
        }
        return len > 0 && detector.scanArgs(text, 0, len, out);
    }
}
