package dev.twinlane.router;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.twinlane.ingest.SandboxDenial;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The exec_id of each tgid's latest exec record the security thread read, so that a record made
 * in user space about a pid (a sandbox denial from the audit stream) names the same process as
 * the kernel's records: the exec record's tl_header (start_ns = the group leader's start_time,
 * which /proc does not give to the nanosecond) is the one source. Direct-mapped by tgid into
 * {@link #SLOTS} slots of primitive arrays: remembering allocates nothing and takes no lock; a tgid
 * that shares its slot with a later exec is forgotten. Security thread only.
 *
 * <p>A denial waits for its exec record (committed before the workload ran, but possibly read by
 * a later drain than the one after the denial was queued) at most {@link #HOLD_NS}; one whose
 * tgid has none (its exec came before this agent, or it forked without exec) leaves with
 * exec_id_status unknown and start_ns 0.
 */
final class ExecIds implements UserRecords.Ready {
    static final int SLOTS = 1 << 13;
    static final long HOLD_NS = 250_000_000L;
    private static final int TGID = RecordLayout.HEADER.field("tgid").offset();
    private static final int START = RecordLayout.HEADER.field("start_ns").offset();
    private static final int PARENT_START = RecordLayout.HEADER.field("parent_start_ns").offset();
    private static final int PTGID = RecordLayout.HEADER.field("ptgid").offset();
    private static final int CGROUP = RecordLayout.HEADER.field("cgroup_id").offset();
    private static final int STATUS = RecordLayout.SANDBOX_DENIAL.field("exec_id_status").offset();

    private final int[] tgids = new int[SLOTS];
    private final long[] starts = new long[SLOTS];
    private final long[] parentStarts = new long[SLOTS];
    private final int[] ptgids = new int[SLOTS];
    private final long[] cgroups = new long[SLOTS];

    /** An exec record: its tgid's exec_id from now on. */
    void remember(RecordView exec) {
        int tgid = exec.s32(TGID);
        int i = tgid & (SLOTS - 1);
        tgids[i] = tgid;
        starts[i] = exec.s64(START);
        parentStarts[i] = exec.s64(PARENT_START);
        ptgids[i] = exec.s32(PTGID);
        cgroups[i] = exec.s64(CGROUP);
    }

    /** A sandbox denial: its header gets the exec_id (and parent's, cgroup) of its tgid's exec, if read. */
    @Override
    public boolean prepare(byte[] record, long waitedNs) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
        int tgid = b.getInt(TGID);
        int i = tgid & (SLOTS - 1);
        if (tgid == 0 || tgids[i] != tgid || starts[i] == 0) {
            return waitedNs >= HOLD_NS;  // unknown: it leaves as it is once it has waited long enough
        }
        b.putLong(START, starts[i]);
        b.putLong(PARENT_START, parentStarts[i]);
        b.putInt(PTGID, ptgids[i]);
        b.putLong(CGROUP, cgroups[i]);
        b.put(STATUS, (byte) SandboxDenial.EXEC_ID_FROM_EXEC);
        return true;
    }
}
