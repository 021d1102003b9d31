package dev.twinlane.wire;

import dev.twinlane.records.DenialSource;
import dev.twinlane.records.Field;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * A sandbox denial (kind sandbox_denial: seccomp or Landlock refused a confined workload an
 * operation, as the kernel's audit records told the agent) as OCSF Process Activity, activity
 * Other "Sandbox Denial", disposition Blocked: the workload is the process and the actor, by the
 * same exec id its exec record's Launch event carries, so a SIEM joins the two; status Failure,
 * with the errno when the kernel gave it. Why not a Detection Finding: docs/OCSF.md.
 */
final class OcsfSandboxDenial {
    private static final Field SOURCE = RecordLayout.SANDBOX_DENIAL.field("denial_source");
    private static final Field STATUS = RecordLayout.SANDBOX_DENIAL.field("exec_id_status");
    private static final Field SYSCALL = RecordLayout.SANDBOX_DENIAL.field("syscall_nr");
    private static final Field ERROR = RecordLayout.SANDBOX_DENIAL.field("error");
    private static final Field ACTION = RecordLayout.SANDBOX_DENIAL.field("action");
    private static final Field SERIAL = RecordLayout.SANDBOX_DENIAL.field("audit_serial");
    private static final Field AUDIT_TIME = RecordLayout.SANDBOX_DENIAL.field("audit_time_ms");
    private static final Field DOMAIN = RecordLayout.SANDBOX_DENIAL.field("landlock_domain");
    private static final Field BLOCKERS = RecordLayout.SANDBOX_DENIAL.field("blockers");
    private static final Field BLOCKERS_LEN = RecordLayout.SANDBOX_DENIAL.field("blockers_len");
    private static final Field OBJECT = RecordLayout.SANDBOX_DENIAL.field("object");
    private static final Field OBJECT_LEN = RecordLayout.SANDBOX_DENIAL.field("object_len");
    private static final Field TGID = RecordLayout.HEADER.field("tgid");
    private static final Field START = RecordLayout.HEADER.field("start_ns");
    private static final Field UID = RecordLayout.HEADER.field("uid");
    private static final String[] EXEC_ID = {"from_exec", "unknown"};
    private static final String[] PROFILES = {"host", "security_control"};
    private static final int TYPE_UID = Ocsf.PROCESS_ACTIVITY * 100 + 99;

    private OcsfSandboxDenial() {
    }

    static void event(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        DenialSource source = DenialSource.of((int) r.number(SOURCE));
        o.begin();
        o.name("class_uid").num(Ocsf.PROCESS_ACTIVITY).name("class_name").str("Process Activity");
        o.name("category_uid").num(1).name("category_name").str("System Activity");
        o.name("activity_id").num(99).name("activity_name").str("Sandbox Denial");
        o.name("type_uid").num(TYPE_UID).name("type_name").str("Process Activity: Sandbox Denial");
        o.name("time").num(Math.floorDiv(wall, 1_000_000L));
        o.name("severity_id").num(3).name("severity").str("Medium");
        o.name("status_id").num(2).name("status").str("Failure");
        long error = r.number(ERROR);
        if (error > 0) {
            o.name("status_code").quotedNum(error);
        }
        o.name("status_detail").str((source == null ? "unknown" : source.label()) + " denied it");
        o.name("disposition_id").num(2).name("disposition").str("Blocked");
        Ocsf.metadata(o, logId, seq, PROFILES);
        Ocsf.device(o, host);
        o.name("process").begin().name("pid").num(r.number(TGID)).name("uid").pair(r.number(TGID), r.number(START));
        Ocsf.text(o.name("name"), r, RecordLayout.HEADER.field("comm"), false);
        o.name("user").begin().name("uid").quotedNum(r.number(UID)).end();
        o.end();
        Ocsf.actor(o, r);
        unmapped(o, r, source);
        o.end();
    }

    private static void unmapped(JsonOut o, RecordView r, DenialSource source) {
        Ocsf.unmappedStart(o, r, -1);
        o.name("denial_source").str(source == null ? String.valueOf(r.number(SOURCE)) : source.label());
        o.name("exec_id_status").str(Ocsf.label(EXEC_ID, (int) r.number(STATUS)));
        o.name("syscall_nr").num(r.number(SYSCALL));
        o.name("error").num(r.number(ERROR));
        o.name("seccomp_action").num(r.number(ACTION));
        o.name("audit_serial").unsigned(r.number(SERIAL));
        o.name("audit_time_ms").unsigned(r.number(AUDIT_TIME));
        if (source == DenialSource.LANDLOCK) {
            o.name("landlock_domain").unsigned(r.number(DOMAIN));
            Ocsf.text(o.name("blockers"), r, BLOCKERS, false);
            o.name("blockers_len").num(r.number(BLOCKERS_LEN));
            Ocsf.text(o.name("object"), r, OBJECT, false);
            o.name("object_len").num(r.number(OBJECT_LEN));
        }
        o.end();
    }
}
