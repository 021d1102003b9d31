package dev.twinlane.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.twinlane.records.DenialSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordStruct;

/**
 * A sandboxed workload's denial (struct tl_sandbox_denial) as the kernel's audit records tell it,
 * made into a security record by {@link #toRecord}. The record leaves with exec_id unknown
 * (start_ns 0): the router's security thread, which reads the exec records, fills it in.
 */
public record SandboxDenial(DenialSource source, int pid, int uid, int gid, String comm, int syscall, int error,
        long action, long serial, long timeMillis, long domain, String blockers, String object) {

    /** enum tl_exec_id_status. */
    public static final int EXEC_ID_FROM_EXEC = 0;
    public static final int EXEC_ID_UNKNOWN = 1;
    private static final int SOURCE_USER = 5;    // TL_SRC_USER
    private static final RecordStruct S = RecordLayout.SANDBOX_DENIAL;

    public SandboxDenial {
        comm = comm == null ? "" : comm;
        blockers = blockers == null ? "" : blockers;
        object = object == null ? "" : object;
    }

    /** The record, header from the audit record (pid as tgid and tid, uid, gid, comm), read at {@code bootNanos}. */
    public byte[] toRecord(long bootNanos) {
        ByteBuffer b = ByteBuffer.allocate(S.size()).order(ByteOrder.nativeOrder());
        b.putShort(at("kind"), (short) RecordKind.SANDBOX_DENIAL.code());
        b.putShort(at("size"), (short) S.size());
        b.putLong(at("ktime_ns"), bootNanos);
        b.putInt(at("tgid"), pid);
        b.putInt(at("tid"), pid);
        b.putInt(at("uid"), uid);
        b.putInt(at("gid"), gid);
        b.put(at("source"), (byte) SOURCE_USER);
        putText(b, "comm", comm, RecordLayout.COMM_LEN);
        b.put(at("denial_source"), (byte) source.code());
        b.put(at("exec_id_status"), (byte) EXEC_ID_UNKNOWN);
        b.putInt(at("syscall_nr"), syscall);
        b.putInt(at("error"), error);
        b.putInt(at("action"), (int) action);
        b.putLong(at("audit_serial"), serial);
        b.putLong(at("audit_time_ms"), timeMillis);
        b.putLong(at("landlock_domain"), domain);
        b.putInt(at("blockers_len"), putText(b, "blockers", blockers, RecordLayout.BLOCKERS_MAX));
        b.putInt(at("object_len"), putText(b, "object", object, RecordLayout.PATH_MAX));
        return b.array();
    }

    /** Truncated with its true length returned; the buffer's last byte stays NUL. */
    private static int putText(ByteBuffer b, String field, String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        b.put(at(field), bytes, 0, Math.min(bytes.length, max - 1));
        return bytes.length;
    }

    private static int at(String field) {
        return S.field(field).offset();
    }
}
