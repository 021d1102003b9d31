package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.AuditStream;
import dev.twinlane.ingest.SandboxDenial;
import dev.twinlane.records.DenialSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.sandbox.SyscallTable;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Through the real kernel and the real sandbox helper: a workload run with `sandbox run --profile
 * minimal` is denied socket() by seccomp and a write by Landlock; each denial reaches the agent's
 * verified security log as a sandbox_denial record naming the workload by its exec record's
 * exec_id. Needs root (BPF, the audit stream).
 */
class SandboxDenialPipelineTest {
    /** Exit 0 only when socket() failed with EPERM (the workload's own view of the denial). */
    private static final String SOCKET = "socket(S, 2, 1, 0) and exit 3; exit($!{EPERM} ? 0 : 4)";
    /** Exit 0 only when opening ARGV[0] for writing failed with EACCES. */
    private static final String WRITE = "open(F, '>', $ARGV[0]) and exit 3; exit($!{EACCES} ? 0 : 4)";

    @TempDir
    Path tmp;

    @Test
    void aSeccompDenialIsChainedWithTheWorkloadsExecId() throws Exception {
        PipelineTest.requireRoot();
        int auditBefore = AuditStream.enabled();
        Path data = tmp.resolve("data");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AgentConfig c = config(data);
        KindCounts tapped = new KindCounts();
        try (Pipeline p = Pipeline.start(c, registry, Pipeline.Hooks.tap(tapped))) {
            assertEquals(0, sandboxRun("-e", SOCKET), "perl saw socket() fail with EPERM");
            awaitDenials(registry, DenialSource.SECCOMP);
        }
        assertTrue(tapped.line().matches(".*\\bsandbox_denial [1-9].*"), "the tap (--print) sees it: " + tapped.line());
        assertEquals(auditBefore, AuditStream.enabled(), "the kernel's audit switch is left as it was");
        int socket = SyscallTable.x86_64().number("socket");
        RecordView d = denialAndItsExec(data, DenialSource.SECCOMP, r -> r.number("syscall_nr") == socket);
        assertEquals(0x50000, d.number("action"), "SECCOMP_RET_ERRNO");
    }

    @Test
    void aLandlockDenialIsChainedNamingThePath() throws Exception {
        PipelineTest.requireRoot();
        requireLandlockLogging();
        int auditBefore = AuditStream.enabled();
        Path target = Files.writeString(tmp.resolve("outside"), "x\n");
        Path data = tmp.resolve("data");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AgentConfig c = config(data);
        c.enableAudit = true;   // Landlock logs only while the kernel's audit is on
        try (Pipeline p = Pipeline.start(c, registry, Pipeline.PLAIN)) {
            assertEquals(0, sandboxRun("-e", WRITE, target.toString()), "perl saw the write fail with EACCES");
            awaitDenials(registry, DenialSource.LANDLOCK);
            assertTrue(p.health().stream().anyMatch(l -> l.contains("landlock: yes")), String.join("\n", p.health()));
        }
        assertEquals(auditBefore, AuditStream.enabled(), "the agent turned the audit back off at its stop");
        RecordView d = denialAndItsExec(data, DenialSource.LANDLOCK, r -> r.text("object").equals(target.toString()));
        assertTrue(d.text("blockers").contains("fs.write_file"), d.text("blockers"));
        assertEquals(13, d.number("error"), "EACCES, from the event's SYSCALL record");
        assertEquals(SyscallTable.x86_64().number("openat"), d.number("syscall_nr"));
    }

    private static AgentConfig config(Path data) {
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        return c;
    }

    private int sandboxRun(String... perl) {
        List<String> args = new ArrayList<>(List.of("sandbox", "run", "--profile", "minimal", "--cache",
                tmp.resolve("cache").toString(), "--", "/usr/bin/perl"));
        args.addAll(List.of(perl));
        Console run = Console.run(args.toArray(String[]::new));
        System.out.print(run.err());
        return run.code();
    }

    private static void awaitDenials(SimpleMeterRegistry registry, DenialSource s) throws InterruptedException {
        for (int i = 0; i < 100 && denials(registry, s) < 1; i++) {
            Thread.sleep(50);
        }
        assertTrue(denials(registry, s) >= 1, "twinlane_sandbox_denials_total{source=" + s.label() + "}");
    }

    private static double denials(SimpleMeterRegistry registry, DenialSource s) {
        return registry.get("twinlane.sandbox.denials").tag("source", s.label()).functionCounter().count();
    }

    /** The log verifies; its denial of this source (which one) names the exec_id of perl's exec record. */
    private static RecordView denialAndItsExec(Path data, DenialSource source, Predicate<RecordView> which) throws IOException {
        Console verify = Console.run("verify", "--wal", data.resolve("security").toString(), "--key",
                data.resolve("keys/security.key").toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().matches("(?s)OK.*\\bsandbox_denial [1-9][0-9]*\\b.*"), verify.out());
        System.out.print("verify: " + verify.out());
        RecordView denial = null;
        List<RecordView> execs = new ArrayList<>();
        for (LogContents.Entry e : LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")))) {
            if (e.kind() > Kinds.MAX_APP_KIND) {
                continue;
            }
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (r.kind() == RecordKind.EXEC && r.text("filename").equals("/usr/bin/perl")) {
                execs.add(r);
            } else if (r.kind() == RecordKind.SANDBOX_DENIAL && r.number("denial_source") == source.code() && which.test(r)) {
                denial = r;
            }
        }
        assertNotNull(denial, "the " + source.label() + " denial in the security log (socket; the file written)");
        RecordView d = denial;
        RecordView exec = execs.stream().filter(x -> x.number("tgid") == d.number("tgid")).findFirst().orElse(null);
        assertNotNull(exec, "perl's exec record, tgid " + d.number("tgid"));
        assertEquals(SandboxDenial.EXEC_ID_FROM_EXEC, d.number("exec_id_status"));
        assertEquals(exec.number("start_ns"), d.number("start_ns"), "the same exec_id as the exec record");
        assertEquals("perl", d.text("comm"));
        System.out.printf("%s denial: tgid %d exec_id start_ns %d, syscall %d, error %d, action 0x%x, blockers '%s', object '%s'%n",
                source.label(), d.number("tgid"), d.number("start_ns"), d.number("syscall_nr"), d.number("error"),
                d.number("action"), d.text("blockers"), d.text("object"));
        return d;
    }

    /** Landlock logs the workload's denials from ABI 7 (Linux 6.15); older kernels enforce without logging. */
    private static void requireLandlockLogging() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        Assumptions.assumeTrue(major > 6 || (major == 6 && minor >= 15),
                "skipped: Landlock logs an exec'd workload's denials from ABI 7 (Linux 6.15); this kernel is " + major + "." + minor);
    }
}
