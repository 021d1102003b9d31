package dev.twinlane.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/** The decoder's checks on bytes it did not make: no kernel needed. */
class RecordViewTest {
    private final RecordView view = new RecordView();

    private static byte[] record(int kind, int sizeField, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        if (length >= 2) {
            b.putShort(0, (short) kind);
        }
        if (length >= 4) {
            b.putShort(2, (short) sizeField);
        }
        return b.array();
    }

    @Test
    void acceptsAWholeRecordOfAKnownKind() {
        byte[] r = record(RecordKind.EXIT.code(), 104, 104);
        assertEquals(RecordView.OK, view.wrap(r, 0, r.length).check());
        assertEquals(RecordKind.EXIT, view.kind());
    }

    @Test
    void rejectsTruncatedOversizedUnknownAndInconsistentRecords() {
        byte[] truncated = record(RecordKind.EXEC.code(), 880, 100);
        assertEquals(RecordView.TRUNCATED, view.wrap(truncated, 0, truncated.length).check());
        assertTrue(view.describeProblem(RecordView.TRUNCATED).contains("truncated"));
        assertTrue(view.describeProblem(RecordView.TRUNCATED).contains("expected=880"));

        byte[] oversized = record(RecordKind.FORK.code(), 96, 128);
        assertEquals(RecordView.OVERSIZED, view.wrap(oversized, 0, oversized.length).check());

        byte[] unknown = record(99, 64, 64);
        assertEquals(RecordView.UNKNOWN_KIND, view.wrap(unknown, 0, unknown.length).check());
        assertEquals("malformed record (unknown kind): kind=99 length=64 size_field=64",
                view.describeProblem(RecordView.UNKNOWN_KIND));

        byte[] lying = record(RecordKind.FORK.code(), 90, 96);
        assertEquals(RecordView.SIZE_MISMATCH, view.wrap(lying, 0, lying.length).check());

        byte[] tiny = new byte[3];
        assertEquals(RecordView.TRUNCATED, view.wrap(tiny, 0, 3).check());
        byte[] empty = new byte[0];
        assertEquals(RecordView.TRUNCATED, view.wrap(empty, 0, 0).check());
    }

    @Test
    void aFileOpenRecordMayEndWithItsPathRoundedUpToEightBytes() {
        int path = RecordLayout.FILE_OPEN.field("path").offset();
        byte[] trimmed = record(RecordKind.FILE_OPEN.code(), path + 16, path + 16);
        // 13 bytes, then the NUL and zeros up to 16
        System.arraycopy("/etc/hostname".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, trimmed, path, 13);
        assertEquals(RecordView.OK, view.wrap(trimmed, 0, trimmed.length).check());
        assertEquals("/etc/hostname", view.text("path"));
        byte[] whole = record(RecordKind.FILE_OPEN.code(), RecordKind.FILE_OPEN.size(), RecordKind.FILE_OPEN.size());
        assertEquals(RecordView.OK, view.wrap(whole, 0, whole.length).check());
    }

    @Test
    void aBadlyTrimmedRecordIsRejected() {
        int path = RecordLayout.FILE_OPEN.field("path").offset();
        byte[] unterminated = record(RecordKind.FILE_OPEN.code(), path + 8, path + 8);
        java.util.Arrays.fill(unterminated, path, path + 8, (byte) 'a');
        // a reader looking for the path's NUL would run past the record
        assertEquals(RecordView.BAD_TRIM, view.wrap(unterminated, 0, unterminated.length).check());
        byte[] unaligned = record(RecordKind.FILE_OPEN.code(), path + 12, path + 12);
        assertEquals(RecordView.BAD_TRIM, view.wrap(unaligned, 0, unaligned.length).check());
        byte[] noPath = record(RecordKind.FILE_OPEN.code(), path, path);
        assertEquals(RecordView.TRUNCATED, view.wrap(noPath, 0, noPath.length).check());
        assertTrue(view.describeProblem(RecordView.TRUNCATED).contains("expected=" + (path + 8) + ".." + RecordKind.FILE_OPEN.size()),
                view.describeProblem(RecordView.TRUNCATED));
    }
}
