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
}
