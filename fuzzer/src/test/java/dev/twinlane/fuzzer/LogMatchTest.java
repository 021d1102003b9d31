package dev.twinlane.fuzzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.detector.ThreatClass;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordStruct;
import dev.twinlane.records.RecordView;

/** The join of delivered payloads with records laid out as twinlane_records.h says (through RecordLayout). */
class LogMatchTest {
    private static final String TRUE = "/tmp/tlfz1/bin/true";

    private static ByteBuffer start(RecordKind kind, int tgid) {
        RecordStruct s = kind.layout();
        ByteBuffer b = ByteBuffer.allocate(s.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(s.field("kind").offset(), (short) kind.code());
        b.putShort(s.field("size").offset(), (short) s.size());
        b.putInt(s.field("tgid").offset(), tgid);
        return b;
    }

    private static void text(ByteBuffer b, RecordKind kind, String field, byte[] value) {
        b.put(kind.layout().field(field).offset(), value);
    }

    private static byte[] exec(int tgid, long argsLen, String... argv) {
        ByteBuffer b = start(RecordKind.EXEC, tgid);
        text(b, RecordKind.EXEC, "filename", TRUE.getBytes(StandardCharsets.UTF_8));
        byte[] block = (TRUE + "\0" + String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8);
        text(b, RecordKind.EXEC, "args", block);
        b.putInt(RecordKind.EXEC.layout().field("args_len").offset(), (int) (argsLen < 0 ? block.length : argsLen));
        return b.array();
    }

    private static byte[] open(int tgid, String path) {
        ByteBuffer b = start(RecordKind.FILE_OPEN, tgid);
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        text(b, RecordKind.FILE_OPEN, "path", p);
        b.putInt(RecordKind.FILE_OPEN.layout().field("path_len").offset(), p.length);
        return b.array();
    }

    private static byte[] detection(int tgid, ThreatClass c, String rule) {
        ByteBuffer b = start(RecordKind.DETECTION, tgid);
        b.put(RecordKind.DETECTION.layout().field("threat_class").offset(), (byte) c.code());
        text(b, RecordKind.DETECTION, "rule", rule.getBytes(StandardCharsets.US_ASCII));
        text(b, RecordKind.DETECTION, "evidence", "ev".getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static KernelDelivery.Delivered ran(Payload p, long pid) {
        return new KernelDelivery.Delivered(p, pid, TRUE, null, null);
    }

    @Test
    void eachPayloadIsFoundByItsRecordAndDetectedByTheDetectionRecordsAfterIt() {
        List<byte[]> log = List.of(exec(100, -1, "; rm -rf /"), detection(100, ThreatClass.COMMAND_INJECTION, "rm-root"),
                exec(101, -1, "ls", "-la"), open(7, "/tmp/tlfz1/w/2/../x"), detection(7, ThreatClass.PATH_TRAVERSAL, "dotdot"),
                exec(103, 600, "cut"));
        for (byte[] r : log) {
            assertEquals(RecordView.OK, new RecordView().wrap(r, 0, r.length).check(), "the test's records are whole");
        }
        Payload attack = Payload.argv(0, ThreatClass.COMMAND_INJECTION, List.of("; rm -rf /"), "t");
        Payload benign = Payload.argv(1, null, List.of("ls", "-la"), "t");
        Payload path = Payload.file(2, ThreatClass.PATH_TRAVERSAL, "../x", "t");
        Payload cut = Payload.argv(3, ThreatClass.SQL_INJECTION, List.of("cut"), "t");
        Payload lost = Payload.argv(4, ThreatClass.SQL_INJECTION, List.of("' OR 1=1--"), "t");
        List<Outcome> o = new LogMatch(log).match(List.of(ran(attack, 100), ran(benign, 101),
                new KernelDelivery.Delivered(path, 7, null, "/tmp/tlfz1/w/2/../x", null), ran(cut, 103), ran(lost, 104)));

        assertTrue(o.get(0).recorded());
        assertEquals(List.of(ThreatClass.COMMAND_INJECTION), o.get(0).detectedAs());
        assertTrue(o.get(0).detectedAsOwnClass());
        assertTrue(o.get(1).recorded());
        assertFalse(o.get(1).detected(), "no detection record follows it");
        assertTrue(o.get(2).recorded());
        assertEquals(List.of(ThreatClass.PATH_TRAVERSAL), o.get(2).detectedAs());
        assertFalse(o.get(3).recorded(), "args_len beyond the record's 512 bytes: not whole");
        assertFalse(o.get(4).recorded(), "no record of pid 104");
        assertEquals("no record", o.get(4).note());
    }
}
