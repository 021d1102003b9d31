package dev.twinlane.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Ring-buffer bytes are untrusted (a kernel bug, a program of another version): whatever they are,
 * check() names a result, describeProblem() one line, and a record check() accepts is read field by
 * field inside its own bytes (RecordView reads through Unsafe: nothing else would stop it).
 */
class RecordViewFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void anyBytesAreCheckedAndAnAcceptedRecordIsReadInsideThem(byte[] data) {
        RecordView v = new RecordView().wrap(data, 0, data.length);
        int c = v.check();
        assertNotNull(RecordView.problem(c));
        if (c != RecordView.OK) {
            assertTrue(v.describeProblem(c).startsWith("malformed record ("));
            return;
        }
        RecordKind k = v.kind();
        assertEquals(data.length, v.u16(RecordLayout.SIZE_OFFSET), "the size field says the record's length");
        for (Field f : k.layout().fields()) {
            switch (f.type()) {
                case CHARS, STRINGS -> {
                    String t = v.text(f);
                    assertTrue(t.getBytes(StandardCharsets.UTF_8).length <= 3 * f.size(), f.name());
                }
                case IP, BYTES -> assertTrue(f.offset() + f.size() <= k.size(), f.name());
                default -> {
                    assertTrue(f.offset() + f.size() <= data.length, k + "." + f.name() + " lies inside a record of " + data.length);
                    v.number(f);
                }
            }
        }
    }
}
