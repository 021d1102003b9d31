package dev.twinlane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import dev.twinlane.ingest.SandboxDenial;
import dev.twinlane.records.DenialSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/** A sandbox denial names the process its tgid's exec record named, or says it could not. */
class ExecIdsTest {
    private final ExecIds ids = new ExecIds();
    private final UserRecords denials = new UserRecords(ids);
    private final Collected lane = new Collected();

    private static byte[] exec(int tgid, long startNs) {
        ByteBuffer b = ByteBuffer.allocate(RecordLayout.EXEC.size()).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) RecordKind.EXEC.code()).putShort(2, (short) RecordLayout.EXEC.size());
        b.putInt(at("tgid"), tgid).putLong(at("start_ns"), startNs).putLong(at("parent_start_ns"), startNs - 7)
                .putInt(at("ptgid"), tgid - 1).putLong(at("cgroup_id"), 99);
        return b.array();
    }

    private static byte[] denial(int pid) {
        return new SandboxDenial(DenialSource.SECCOMP, pid, 0, 0, "probe", 41, 0, 0x50000, 5, 6, 0, "", "").toRecord(1);
    }

    private static int at(String field) {
        return RecordLayout.HEADER.field(field).offset();
    }

    @Test
    void aDenialTakesTheExecIdOfItsTgidsLatestExec() {
        byte[] e = exec(4321, 1_000_000_007L);
        ids.remember(new RecordView().wrap(e, 0, e.length));
        denials.offer(denial(4321));
        assertEquals(1, denials.drainTo(lane));
        RecordView d = lane.view(0);
        assertEquals(1_000_000_007L, d.number("start_ns"));
        assertEquals(1_000_000_000L, d.number("parent_start_ns"));
        assertEquals(4320, d.number("ptgid"));
        assertEquals(99, d.number("cgroup_id"));
        assertEquals(SandboxDenial.EXEC_ID_FROM_EXEC, d.number("exec_id_status"));
    }

    @Test
    void withoutAnExecRecordItWaitsThenLeavesUnknownAndKeepsTheOrder() {
        denials.offer(denial(555));
        byte[] e = exec(4321, 42);
        ids.remember(new RecordView().wrap(e, 0, e.length));
        denials.offer(denial(4321));
        assertEquals(0, denials.drainTo(lane), "the first is held, and the second behind it");
        assertEquals(2, denials.drainTo(lane, true));
        assertEquals(555, lane.view(0).number("tgid"));
        assertEquals(SandboxDenial.EXEC_ID_UNKNOWN, lane.view(0).number("exec_id_status"));
        assertEquals(0, lane.view(0).number("start_ns"));
        assertEquals(42, lane.view(1).number("start_ns"));
    }

    @Test
    void aTgidSharingItsSlotWithALaterExecIsForgottenNotMistaken() {
        byte[] first = exec(7, 70);
        byte[] later = exec(7 + ExecIds.SLOTS, 80);
        ids.remember(new RecordView().wrap(first, 0, first.length));
        ids.remember(new RecordView().wrap(later, 0, later.length));
        denials.offer(denial(7));
        denials.drainTo(lane, true);
        assertEquals(0, lane.view(0).number("start_ns"));
    }

    @Test
    void rememberingAnExecAllocatesNothingOnceWarm() {
        byte[] e = exec(4321, 42);
        RecordView v = new RecordView().wrap(e, 0, e.length);
        for (int i = 0; i < 20_000; i++) {
            ids.remember(v);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            ids.remember(v);
        }
        assertEquals(0, (mx.getCurrentThreadAllocatedBytes() - before) / 10_000, "bytes allocated per exec record remembered");
    }
}
