package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.DenialSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/** Audit records as this host's kernel (6.18) wrote them for the sandbox helper's workloads. */
class AuditDenialsTest {
    private static final String SECCOMP = "audit(1796622874.521:2779153): auid=4294967295 uid=0 gid=0 ses=4294967295 "
            + "pid=22624 comm=\"probe\" exe=\"/work/wt-denials/sandbox/target/native/probe\" sig=0 arch=c000003e "
            + "syscall=41 compat=0 ip=0x7ff16bb57dc7 code=0x50000";
    private static final String ACCESS = "audit(1796622889.325:2779156): domain=1b3d9aacb blockers=fs.make_reg "
            + "path=\"/tmp/denials\" dev=\"vda\" ino=2195604";
    private static final String DOMAIN = "audit(1796622889.325:2779156): domain=1b3d9aacb status=allocated "
            + "mode=enforcing pid=23054 uid=0 exe=\"/var/lib/twinlane/sandbox/bin/twinlane-sandbox-exec-ed5f\" comm=\"twinlane-sandbo\"";
    private static final String SYSCALL = "audit(1796622889.325:2779156): arch=c000003e syscall=257 success=no exit=-13 "
            + "a0=ffffff9c a1=7fff679dbac1 a2=c1 a3=180 items=0 ppid=23012 pid=23055 auid=4294967295 uid=0 gid=0 euid=0 "
            + "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"probe\" exe=\"/x/probe\" key=(null)";
    private static final String EOE = "audit(1796622889.325:2779156): ";

    private final List<SandboxDenial> out = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final AuditDenials denials = new AuditDenials(new AuditDenials.Sink() {
        @Override
        public void denial(SandboxDenial d) {
            out.add(d);
        }

        @Override
        public void problem(String reason) {
            problems.add(reason);
        }
    });

    @Test
    void aSeccompRecordIsOneDenialAtOnce() {
        denials.accept(AuditDenials.SECCOMP, SECCOMP, 0);
        assertEquals(1, out.size());
        SandboxDenial d = out.get(0);
        assertEquals(DenialSource.SECCOMP, d.source());
        assertEquals(22624, d.pid());
        assertEquals(41, d.syscall());
        assertEquals(0x50000, d.action());
        assertEquals(2779153, d.serial());
        assertEquals(1796622874521L, d.timeMillis());
        assertEquals("probe", d.comm());
    }

    @Test
    void aLandlockDenialWaitsForItsSyscallRecordForThePid() {
        denials.accept(AuditDenials.LANDLOCK_ACCESS, ACCESS, 0);
        denials.accept(AuditDenials.LANDLOCK_DOMAIN, DOMAIN, 0);
        assertEquals(0, out.size());
        denials.accept(AuditDenials.SYSCALL, SYSCALL, 0);
        denials.accept(AuditDenials.EOE, EOE, 0);
        assertEquals(1, out.size());
        SandboxDenial d = out.get(0);
        assertEquals(DenialSource.LANDLOCK, d.source());
        assertEquals(23055, d.pid());
        assertEquals(257, d.syscall());
        assertEquals(13, d.error());
        assertEquals(0x1b3d9aacbL, d.domain());
        assertEquals("fs.make_reg", d.blockers());
        assertEquals("/tmp/denials", d.object());
        assertEquals(List.of(), problems);
    }

    @Test
    void withoutItsSyscallRecordTheDomainCreatorsPidStandsInAndItIsCounted() {
        denials.accept(AuditDenials.LANDLOCK_DOMAIN, DOMAIN, 0);
        denials.accept(AuditDenials.LANDLOCK_ACCESS, ACCESS, 0);
        denials.expire(AuditDenials.MAX_WAIT_MS - 1);
        assertEquals(0, out.size());
        denials.expire(AuditDenials.MAX_WAIT_MS);
        assertEquals(23054, out.get(0).pid());
        assertEquals(-1, out.get(0).syscall());
        assertEquals(List.of("landlock_without_syscall"), problems);
    }

    @Test
    void aHexEncodedPathIsDecoded() {
        String spaced = ACCESS.replace("path=\"/tmp/denials\"", "path=2F746D702F6120622063");
        denials.accept(AuditDenials.LANDLOCK_ACCESS, spaced, 0);
        denials.accept(AuditDenials.EOE, EOE, 0);
        assertEquals("/tmp/a b c", out.get(0).object());
    }

    @Test
    void aTruncatedRecordIsCountedNotPassedOn() {
        denials.accept(AuditDenials.SECCOMP, "audit(17966228", 0);
        assertEquals(List.of("unparsable"), problems);
        assertEquals(0, out.size());
    }

    @Test
    void theRecordIsAWellFormedSandboxDenialWithItsFieldsWhereTheHeaderSays() {
        denials.accept(AuditDenials.LANDLOCK_ACCESS, ACCESS, 0);
        denials.accept(AuditDenials.SYSCALL, SYSCALL, 0);
        byte[] r = out.get(0).toRecord(42);
        RecordView v = new RecordView().wrap(r, 0, r.length);
        assertEquals(RecordView.OK, v.check());
        assertEquals(RecordKind.SANDBOX_DENIAL, v.kind());
        assertEquals(23055, v.number("tgid"));
        assertEquals(SandboxDenial.EXEC_ID_UNKNOWN, v.number("exec_id_status"));
        assertEquals("/tmp/denials", v.text("object"));
        assertEquals("fs.make_reg", v.text("blockers"));
        assertEquals("probe", v.text("comm"));
        assertEquals(0, v.number("start_ns"));
    }
}
