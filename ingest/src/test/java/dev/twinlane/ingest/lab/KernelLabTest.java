package dev.twinlane.ingest.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kernel lab of issue 5, from the normal test command: boots Debian 6.1
 * and 6.12 with the BPF LSM active, and 6.12 with it left out of lsm=, under
 * qemu (scripts/kernel-lab), and runs {@link GuestChecks} inside each guest
 * with this module's own build. Each guest's console is streamed to the test
 * output, prefixed with its kernel. A run is skipped, with kernel-lab's
 * reason, only when kernel-lab exits 77 (qemu or the kernel packages cannot
 * be had); any other outcome is judged. See docs/KERNEL-LAB.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelLabTest {
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) passed, (\\d+) failed$");
    private static KernelLab lab;

    @BeforeAll
    static void snapshotTheBuild() throws Exception {
        lab = KernelLab.prepare();
    }

    @AfterAll
    static void removeSnapshot() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void debian61WithTheBpfLsmEnforcesAndAudits() throws Exception {
        List<String> out = guest("6.1", false);
        requireLsmOn(out);
    }

    @Test
    @Order(2)
    void debian612WithTheBpfLsmEnforcesAndAudits() throws Exception {
        List<String> out = guest("6.12", false);
        requireLsmOn(out);
    }

    @Test
    @Order(3)
    void debian612WithoutTheBpfLsmReportsAuditOnlyAndSaysSo() throws Exception {
        List<String> out = guest("6.12", true);
        for (String hook : GuestChecks.LSM_HOOKS) {
            requirePass(out, "status " + hook + " without BPF LSM: " + hook + ": ");
        }
        assertTrue(out.stream().anyMatch(l -> l.startsWith("PASS status file_open without BPF LSM: file_open: audit-only")
                && l.contains(GuestChecks.LSM_UNAVAILABLE)), "file_open reported audit-only with the reason");
        assertTrue(out.stream().anyMatch(l -> l.startsWith("SKIP file_open deny: ") && l.contains(GuestChecks.LSM_UNAVAILABLE)),
                "the LSM checks say why they do not apply");
        requirePass(out, "no LSM program loaded or attached");
        requirePass(out, "file_open without BPF LSM: a watched open is recorded by the tracepoint");
        requirePass(out, "connect deny port via cgroup (EPERM)");
        requirePass(out, "connect deny address via cgroup (EPERM)");
    }

    private static void requireLsmOn(List<String> out) {
        for (String check : List.of("LSM family loaded as one object, no fallback", "all 7 LSM programs attached",
                "file_open deny (EPERM)", "file_open allowed file opens", "file_open record (path, exec_id, decision)",
                "exec deny (EPERM)", "exec record (filename, exec_id, decision)", "connect deny port (EPERM)",
                "connect deny address (EPERM)", "connect record, denied port", "connect record, denied address",
                "file_open denied inode opens (audit mode)", "file_open record says audit_deny",
                "exec of denied binary runs (audit mode)", "exec record says audit_deny",
                "connect denied port succeeds (audit mode)", "connect record, denied port (audit mode)",
                "bpftool map list is refused twinlane's maps")) {
            requirePass(out, check + ": ");
        }
        // issue 13: the signed policy in the LSM programs, the deadman, self-protection (prefixes of check names)
        for (String check : List.of("policy file deny by inode (EPERM)", "policy file deny by prefix (EPERM)", "policy record, deny by inode",
                "policy record, deny by prefix", "policy exec deny (EPERM)", "policy exec record",
                "policy prefix denies exec of a binary under it (EPERM)",
                "policy survival binary runs under a denying prefix", "policy watch rules record allowed opens",
                "policy audit mode: denied files open", "policy audit mode: records say audit_deny",
                "policy audit mode: denied exec runs, recorded audit_deny", "deadman: enforced within its TTL (EPERM)",
                "deadman: lapsed, the deny becomes audit-only", "deadman: record says audit_deny with the deadman flag",
                "deadman: exactly one record says it is the first after the lapse",
                "deadman: enforced again after a renewal (EPERM)",
                "self-protection: bpftool map update pinned " + PolicyChecks.PIN_DIR + "/pdeny_inode_s",
                "self-protection record: bpftool map update pinned " + PolicyChecks.PIN_DIR + "/pdeny_inode_s",
                "self-protection: bpftool map update id", "self-protection record: bpftool map update id",
                "self-protection: bpftool prog show id", "self-protection record: bpftool prog show id",
                "self-protection: bpftool link detach id", "self-protection record: bpftool link detach id",
                "self-protection record: bpftool map update pinned /tmp/", "self-protection: the deny map is unchanged")) {
            requirePass(out, check);
        }
        for (String hook : GuestChecks.LSM_HOOKS) {
            requirePass(out, "status " + hook + ": " + hook + ": enforce via lsm/" + hook);
        }
        assertTrue(out.stream().noneMatch(l -> l.startsWith("SKIP ")), "nothing skipped with the BPF LSM active");
    }

    private static void requirePass(List<String> out, String prefix) {
        assertTrue(out.stream().anyMatch(l -> l.startsWith("PASS " + prefix)), "no PASS line starting with: " + prefix);
    }

    /** Boots one guest, runs GuestChecks in it, returns its console lines once it passed. */
    private static List<String> guest(String series, boolean lsmOff) throws Exception {
        KernelLab.Run run = lab.run(series, lsmOff, lab.java(GuestChecks.class.getName()));
        String label = series + (lsmOff ? " lsm=off" : " lsm=on");
        List<String> out = run.lines();
        String summary = run.last(l -> SUMMARY.matcher(l).matches());
        assertTrue(summary != null, "GuestChecks did not finish in " + label + " (exit " + run.status() + ")");
        Matcher m = SUMMARY.matcher(summary);
        assertTrue(m.matches());
        List<String> failures = out.stream().filter(l -> l.startsWith("FAIL ")).collect(Collectors.toList());
        assertEquals(0, Integer.parseInt(m.group(2)), label + ": " + summary + "\n" + String.join("\n", failures));
        assertTrue(Integer.parseInt(m.group(1)) > 0, label + ": nothing passed");
        assertEquals(0, run.status(), label + ": kernel-lab exit status");
        return out;
    }
}
