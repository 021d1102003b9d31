package dev.twinlane.router;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Detector;
import dev.twinlane.detector.Finding;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The strings of a record, scanned by a {@link Detector} of this thread's own: exec filename and
 * argv (each element and joined), file_open and kernel_read paths, and the header's comm of any
 * other kind. A comm equal to the last clean one is not scanned again (a process sends many
 * records). Thread-confined; copies each string once into a reused buffer, allocates nothing.
 */
final class RecordStrings {
    static final int COMM = RecordLayout.HEADER.field("comm").offset();
    private static final int EXEC_FILENAME = RecordLayout.EXEC.field("filename").offset();
    private static final int EXEC_ARGS = RecordLayout.EXEC.field("args").offset();
    private static final int EXEC_ARGS_LEN = RecordLayout.EXEC.field("args_len").offset();
    private static final int OPEN_PATH = RecordLayout.FILE_OPEN.field("path").offset();
    private static final int READ_PATH = RecordLayout.KERNEL_READ.field("path").offset();

    private final Detector detector;
    private final byte[] text = new byte[RecordLayout.ARGS_MAX];
    private long cleanCommLow;
    private long cleanCommHigh;

    RecordStrings(DetectionRules rules) {
        this.detector = new Detector(rules);
    }

    Detector detector() {
        return detector;
    }

    /** The field a payload was found in ({@code out} filled, span within that field), or null. */
    DetectionField scan(RecordView r, Finding out) {
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
                return scanText(r, OPEN_PATH, RecordLayout.PATH_MAX, out) ? DetectionField.FILE_PATH : scanComm(r, out);
            case KERNEL_READ:
                return scanText(r, READ_PATH, RecordLayout.PATH_MAX, out) ? DetectionField.KERNEL_READ_PATH
                        : scanComm(r, out);
            default:
                return scanComm(r, out);
        }
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
        int n = Math.min(max, r.length() - offset);
        if (n <= 0) {
            return false;
        }
        r.copyTo(offset, n, text, 0);
        int len = 0;
        while (len < n && text[len] != 0) {
            len++;
        }
        return len > 0 && detector.scan(text, 0, len, out);
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
