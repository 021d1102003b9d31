package dev.twinlane.ingest.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.HookStatus;
import dev.twinlane.ingest.HookStatus.Capability;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;
import dev.twinlane.ingest.RingBufferReader;

/**
 * The Java guest checks of the kernel lab (issue 5): run as root INSIDE a
 * guest booted by scripts/kernel-lab, they start the real {@link KernelIngest}
 * and prove what it claims. With the BPF LSM active: all 7 LSM programs load
 * as one object (no per-program fallback) and report ENFORCE; a denied open,
 * exec and connect fail with EPERM while allowed ones work, each with a
 * security record (path/filename, exec_id, decision); in audit mode the same
 * actions succeed and the records say audit_deny. With the BPF LSM inactive
 * (kernel-lab --lsm-off): the LSM hooks are reported audit-only/unavailable
 * with the reason, no LSM program is loaded, the LSM checks are reported as
 * SKIP with that reason, and what the status still claims (cgroup connect
 * enforcement) is checked.
 *
 * <p>Output: one line per check ("PASS name: detail", "FAIL name: detail",
 * "SKIP name: why"), then "N passed, N failed" as the last line. Exit status 0
 * when nothing failed, 1 otherwise, 2 when it cannot run at all (not root).
 * KERNEL_LAB_LSM=on|off (set by kernel-lab) says what the boot should give;
 * without it the active LSM list decides.
 */
public final class GuestChecks {
    static final String LSM_UNAVAILABLE = "bpf is not in the kernel's active LSM list";
    static final List<String> LSM_HOOKS = List.of("file_open", "bprm_check_security", "socket_connect",
            "socket_bind", "ptrace_access_check", "kernel_read_file", "bpf");
    private static final int DENY = 1;
    private static final int AUDIT_DENY = 2;
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(15);

    private int passed;
    private int failed;
    private int skipped;
    private final long self = ProcessHandle.current().pid();
    private final Path dir;

    private GuestChecks(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            System.out.println("guest-checks: must run as root (loading BPF programs needs CAP_BPF, CAP_PERFMON)");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("twinlane-lab-");
        GuestChecks g = new GuestChecks(dir);
        long t0 = System.nanoTime();
        try {
            g.run();
        } catch (Throwable t) {
            g.fail("guest-checks", "aborted: " + t);
            t.printStackTrace(System.out);
        }
        System.out.printf(Locale.ROOT, "guest-checks: %d skipped; %.1f s in the checks%n", g.skipped,
                (System.nanoTime() - t0) / 1e9);
        System.out.println(g.passed + " passed, " + g.failed + " failed");
        System.out.flush();
        System.exit(g.failed == 0 ? 0 : 1);
    }

    // ---- the checks ----------------------------------------------------------

    private void run() throws Exception {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        String lsmList = Files.readString(Path.of("/sys/kernel/security/lsm")).trim();
        boolean bpfActive = List.of(lsmList.split(",")).contains("bpf");
        String expect = System.getenv("KERNEL_LAB_LSM");
        System.out.println("guest-checks: kernel " + kernel + ", active LSMs " + lsmList + ", KERNEL_LAB_LSM="
                + (expect == null ? "(unset)" : expect) + ", pid " + self);
        if (expect != null) {
            boolean wantOn = expect.equals("on");
            check("lsm list", bpfActive == wantOn, "bpf " + (bpfActive ? "is" : "is not")
                    + " in the active LSM list (" + lsmList + "), as the boot asked (lsm " + expect + ")");
        }
        if (bpfActive) {
            enforceMode();
            auditMode();
            new PolicyChecks(this, dir).run();
        } else {
            lsmInactive(lsmList);
        }
    }

    /** BPF LSM active, enforce mode: all 7 programs, each refusal with its record. */
    private void enforceMode() throws Exception {
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        long t = System.nanoTime();
        try (Fixture f = new Fixture();
                KernelIngest kernel = KernelIngest.start(config(IngestConfig.Mode.ENFORCE, audit));
                Collector records = new Collector(kernel)) {
            System.out.printf(Locale.ROOT, "guest-checks: KernelIngest.start (enforce) took %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            printAudit(audit);
            printHooks(kernel);
            allLsmProgramsLoadedAsOne(audit.toString(StandardCharsets.UTF_8));
            for (String hook : LSM_HOOKS) {
                HookStatus h = hook(kernel, hook);
                check("status " + hook, h != null && h.capability() == Capability.ENFORCE
                        && h.via().equals("lsm/" + hook), h == null ? "no status" : h.describe());
            }
            f.apply(kernel);

            // file_open: EPERM in this process, an allowed file opens, then the record of a child's denied open.
            Optional<Throwable> open = attempt(() -> Files.readString(f.deniedFile));
            check("file_open deny (EPERM)", open.isPresent() && isEperm(open.get()),
                    "open of " + f.deniedFile + ": " + open.map(Throwable::toString).orElse("succeeded"));
            Optional<Throwable> allowed = attempt(() -> {
                if (!Files.readString(f.allowedFile).equals("allowed\n")) {
                    throw new IOException("wrong content");
                }
            });
            check("file_open allowed file opens", allowed.isEmpty(),
                    f.allowedFile + ": " + allowed.map(Throwable::toString).orElse("opened and read"));
            RecordView ownOpen = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                    && r.text("path").equals(f.deniedFile.toString()) && r.number("tgid") == this.self);
            check("file_open record (agent's open)", ownOpen != null && ownOpen.number("decision") == DENY
                    && ownOpen.number("ret") == -1 && ownOpen.number("start_ns") != 0,
                    render(ownOpen));
            Proc cat = Proc.run("/bin/cat", f.deniedFile.toString());
            check("file_open deny (EPERM, child cat)", cat.exit != 0 && cat.output.contains("Operation not permitted"),
                    "cat " + f.deniedFile + ": exit " + cat.exit + ", " + cat.output.trim());
            RecordView denied = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                    && r.text("path").equals(f.deniedFile.toString()) && r.number("tgid") == cat.pid);
            RecordView catExec = records.await(r -> r.kind() == RecordKind.EXEC && r.number("tgid") == cat.pid
                    && r.text("filename").endsWith("/cat") && r.number("decision") == 0);
            check("file_open record (path, exec_id, decision)", denied != null && catExec != null
                    && denied.number("decision") == DENY && denied.number("ret") == -1
                    && denied.text("comm").equals("cat") && denied.number("source") == 1
                    && execId(denied).equals(execId(catExec)) && denied.number("ptgid") == this.self,
                    render(denied) + (catExec == null ? " / no exec record of cat"
                            : " / exec_id of cat's exec record " + execId(catExec)));
            RecordView unrelated = records.find(r -> r.kind() == RecordKind.FILE_OPEN
                    && r.text("path").equals(f.allowedFile.toString()));
            check("file_open allowed unwatched open not recorded", unrelated == null, render(unrelated));

            // bprm_check_security: exec of a denied binary; an allowed copy of the same binary runs.
            Proc exec = Proc.run(f.deniedBin.toString());
            check("exec deny (EPERM)", exec.exit == Proc.START_FAILED && exec.output.contains("Operation not permitted"),
                    f.deniedBin + ": " + exec.describe());
            Proc ok = Proc.run(f.allowedBin.toString());
            check("exec allowed binary runs", ok.exit == 0, f.allowedBin + ": " + ok.describe());
            RecordView execDenied = records.await(r -> r.kind() == RecordKind.EXEC
                    && r.text("filename").equals(f.deniedBin.toString()) && r.number("decision") != 0);
            check("exec record (filename, exec_id, decision)", execDenied != null
                    && execDenied.number("decision") == DENY && execDenied.number("ret") == -1
                    && execDenied.number("source") == 1 && execDenied.number("start_ns") != 0
                    && execDenied.number("ptgid") == this.self, render(execDenied));

            // socket_connect: a denied port and a denied address; an allowed connect works.
            connectChecks(records, f, true);
            Optional<Throwable> bind = attempt(() -> {
                try (ServerSocket s = new ServerSocket(f.deniedPort, 1, InetAddress.getByName("127.0.0.2"))) {
                    s.getLocalPort();
                }
            });
            check("bind deny port (EPERM)", bind.isPresent() && isEperm(bind.get()),
                    "127.0.0.2:" + f.deniedPort + ": " + bind.map(Throwable::toString).orElse("bound"));
            RecordView rb = records.await(r -> r.kind() == RecordKind.BIND && r.number("sport") == f.deniedPort
                    && r.number("tgid") == self);
            check("bind record", rb != null && rb.number("decision") == DENY && rb.number("ret") == -1, render(rb));

            // bpf: the agent's own bpf() calls are not recorded; another process's are.
            bpfHook(records);
        }
    }

    private void connectChecks(Collector records, Fixture f, boolean enforce) throws Exception {
        int allowedPort = f.allowedPort;
        String mode = enforce ? "" : " (audit mode)";
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Optional<Throwable> port = attempt(() -> connect(lo, f.deniedPort));
        Optional<Throwable> addr = attempt(() -> connect(f.deniedAddress, allowedPort));
        Optional<Throwable> allowed = attempt(() -> connect(lo, allowedPort));
        if (enforce) {
            check("connect deny port (EPERM)", port.isPresent() && isEperm(port.get()),
                    "127.0.0.1:" + f.deniedPort + ": " + port.map(Throwable::toString).orElse("connected"));
            check("connect deny address (EPERM)", addr.isPresent() && isEperm(addr.get()),
                    f.deniedAddress.getHostAddress() + ":" + allowedPort + ": "
                            + addr.map(Throwable::toString).orElse("connected"));
        } else {
            check("connect denied port succeeds" + mode, port.isEmpty(),
                    "127.0.0.1:" + f.deniedPort + ": " + port.map(Throwable::toString).orElse("connected"));
            check("connect denied address succeeds" + mode, addr.isEmpty(),
                    f.deniedAddress.getHostAddress() + ":" + allowedPort + ": "
                            + addr.map(Throwable::toString).orElse("connected"));
        }
        check("connect allowed" + mode, allowed.isEmpty(),
                "127.0.0.1:" + allowedPort + ": " + allowed.map(Throwable::toString).orElse("connected"));
        int decision = enforce ? DENY : AUDIT_DENY;
        int ret = enforce ? -1 : 0;
        RecordView rp = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == f.deniedPort
                && r.number("tgid") == self);
        check("connect record, denied port" + mode, rp != null && rp.number("decision") == decision
                && rp.number("ret") == ret && rp.number("source") == 1
                && RecordJson.render(rp).contains("\"daddr\":\"127.0.0.1\""), render(rp));
        RecordView ra = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == allowedPort
                && RecordJson.render(r).contains("\"daddr\":\"" + f.deniedAddress.getHostAddress() + "\""));
        check("connect record, denied address" + mode, ra != null && ra.number("decision") == decision
                && ra.number("ret") == ret && ra.number("tgid") == self, render(ra));
        RecordView rok = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == allowedPort
                && RecordJson.render(r).contains("\"daddr\":\"127.0.0.1\""));
        check("connect record, allowed" + mode, rok != null && rok.number("decision") == 0 && rok.number("ret") == 0,
                render(rok));
    }

    private void bpfHook(Collector records) throws Exception {
        Path bpftool = Path.of("/usr/sbin/bpftool");
        if (!Files.isExecutable(bpftool)) {
            skip("bpf hook", "no /usr/sbin/bpftool to make a bpf() call from another process");
            return;
        }
        Proc p = Proc.run(bpftool.toString(), "map", "list");
        RecordView other = records.await(r -> r.kind() == RecordKind.BPF && r.number("tgid") == p.pid);
        check("bpf record of another process", other != null,
                "bpftool map list: exit " + p.exit + "; " + render(other));
        // Self-protection: bpftool cannot take an fd of twinlane's maps by id (it stops at the first one).
        RecordView refused = records.await(r -> r.kind() == RecordKind.BPF && r.number("tgid") == p.pid
                && r.number("decision") == DENY);
        check("bpftool map list is refused twinlane's maps", refused != null && refused.number("cmd") == 14
                && refused.number("target_type") == 1 && refused.number("ret") == -1, render(refused));
        RecordView own = records.find(r -> r.kind() == RecordKind.BPF && r.number("tgid") == self);
        check("bpf hook skips the agent's own bpf() calls", own == null, own == null
                ? "no bpf record with the agent's tgid " + self : render(own));
    }

    /** BPF LSM active, audit mode: the same actions succeed and are recorded as audit_deny. */
    private void auditMode() throws Exception {
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        long t = System.nanoTime();
        try (Fixture f = new Fixture();
                KernelIngest kernel = KernelIngest.start(config(IngestConfig.Mode.AUDIT, audit));
                Collector records = new Collector(kernel)) {
            System.out.printf(Locale.ROOT, "guest-checks: KernelIngest.start (audit) took %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            printAudit(audit);
            HookStatus fo = hook(kernel, "file_open");
            check("status file_open (audit mode)", fo != null && fo.capability() == Capability.ENFORCE
                    && fo.reason().contains("audit mode"), fo == null ? "no status" : fo.describe());
            f.apply(kernel);

            Optional<Throwable> open = attempt(() -> Files.readString(f.deniedFile));
            check("file_open denied inode opens (audit mode)", open.isEmpty(),
                    f.deniedFile + ": " + open.map(Throwable::toString).orElse("opened"));
            RecordView ro = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                    && r.text("path").equals(f.deniedFile.toString()) && r.number("tgid") == self);
            check("file_open record says audit_deny", ro != null && ro.number("decision") == AUDIT_DENY
                    && ro.number("ret") == 0 && RecordJson.render(ro).contains("\"decision\":\"audit_deny\""),
                    render(ro));

            Proc exec = Proc.run(f.deniedBin.toString());
            check("exec of denied binary runs (audit mode)", exec.exit == 0, f.deniedBin + ": " + exec.describe());
            RecordView re = records.await(r -> r.kind() == RecordKind.EXEC
                    && r.text("filename").equals(f.deniedBin.toString()) && r.number("decision") != 0);
            check("exec record says audit_deny", re != null && re.number("decision") == AUDIT_DENY
                    && re.number("ret") == 0 && re.number("tgid") == exec.pid, render(re));

            connectChecks(records, f, false);
        }
    }

    /** BPF LSM not active (lsm= without bpf): say so, check what the status still claims. */
    private void lsmInactive(String lsmList) throws Exception {
        String why = "BPF LSM not active (" + LSM_UNAVAILABLE + ": " + lsmList + ")";
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        long t = System.nanoTime();
        try (Fixture f = new Fixture();
                KernelIngest kernel = KernelIngest.start(config(IngestConfig.Mode.ENFORCE, audit));
                Collector records = new Collector(kernel)) {
            System.out.printf(Locale.ROOT, "guest-checks: KernelIngest.start (enforce, no BPF LSM) took %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            printAudit(audit);
            printHooks(kernel);
            for (String hook : LSM_HOOKS) {
                HookStatus h = hook(kernel, hook);
                check("status " + hook + " without BPF LSM", h != null && !h.via().startsWith("lsm/")
                        && h.reason().contains(LSM_UNAVAILABLE)
                        && (h.capability() != Capability.ENFORCE || h.via().startsWith("cgroup/")),
                        h == null ? "no status" : h.describe());
            }
            String log = audit.toString(StandardCharsets.UTF_8);
            check("no LSM program loaded or attached", !log.contains("security_lsm.bpf.o"),
                    log.contains("security_lsm.bpf.o") ? "the audit log shows security_lsm.bpf.o was loaded"
                            : "security_lsm.bpf.o not loaded (the kernel would attach it and never run it)");
            for (String c : List.of("file_open deny", "exec deny", "audit mode (LSM records say audit_deny)")) {
                skip(c, why);
            }
            f.apply(kernel);
            // What the status says instead, checked: file_open audit-only (not refused), connect enforced by cgroup.
            HookStatus fo = hook(kernel, "file_open");
            Optional<Throwable> open = attempt(() -> Files.readString(f.deniedFile));
            check("file_open without BPF LSM: denied inode opens, as audit-only says",
                    fo != null && fo.capability() != Capability.ENFORCE && open.isEmpty(),
                    (fo == null ? "no status" : fo.describe()) + "; open: "
                            + open.map(Throwable::toString).orElse("opened"));
            kernel.policy().watchPrefix(f.allowedFile.getParent() + "/");
            Optional<Throwable> watched = attempt(() -> Files.readString(f.allowedFile));
            RecordView rw = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                    && r.text("path").equals(f.allowedFile.toString()) && r.number("tgid") == self);
            check("file_open without BPF LSM: a watched open is recorded by the tracepoint", watched.isEmpty()
                    && rw != null && rw.number("source") == 2 && rw.number("decision") == 0, render(rw));
            System.out.println("NOTE file_open without BPF LSM: deny_inode rules are neither enforced nor recorded"
                    + " (sys_enter_openat sees a user path, not an inode); only watched paths are recorded");
            HookStatus sc = hook(kernel, "socket_connect");
            if (sc != null && sc.capability() == Capability.ENFORCE && sc.via().startsWith("cgroup/")) {
                Optional<Throwable> port = attempt(() -> connect(InetAddress.getByName("127.0.0.1"), f.deniedPort));
                check("connect deny port via cgroup (EPERM)", port.isPresent() && isEperm(port.get()),
                        "127.0.0.1:" + f.deniedPort + ": " + port.map(Throwable::toString).orElse("connected"));
                RecordView rp = records.await(r -> r.kind() == RecordKind.CONNECT
                        && r.number("dport") == f.deniedPort && r.number("decision") == DENY);
                check("connect record via cgroup", rp != null && rp.number("source") == 3
                        && rp.number("tgid") == self, render(rp));
                // Java connects through dual-stack AF_INET6 sockets: connect6 sees ::ffff:127.0.0.3.
                Optional<Throwable> addr = attempt(() -> connect(f.deniedAddress, f.allowedPort));
                check("connect deny address via cgroup (EPERM)", addr.isPresent() && isEperm(addr.get()),
                        f.deniedAddress.getHostAddress() + ":" + f.allowedPort + ": "
                                + addr.map(Throwable::toString).orElse("connected"));
                RecordView ra = records.await(r -> r.kind() == RecordKind.CONNECT
                        && r.number("dport") == f.allowedPort && r.number("tgid") == self
                        && RecordJson.render(r).contains("\"daddr\":\"" + f.deniedAddress.getHostAddress() + "\""));
                check("connect record via cgroup, denied address", ra != null && ra.number("decision") == DENY
                        && ra.number("source") == 3, render(ra));
                Optional<Throwable> allowed = attempt(() -> connect(InetAddress.getByName("127.0.0.1"), f.allowedPort));
                check("connect allowed via cgroup", allowed.isEmpty(), "127.0.0.1:" + f.allowedPort + ": "
                        + allowed.map(Throwable::toString).orElse("connected"));
            } else {
                skip("connect deny via cgroup", "socket_connect is "
                        + (sc == null ? "not reported" : sc.describe()));
            }
        }
    }

    private void allLsmProgramsLoadedAsOne(String auditLog) {
        List<String> loads = new ArrayList<>();
        int attached = 0;
        for (String line : auditLog.split("\n")) {
            if (!line.contains("\"object\":\"security_lsm.bpf.o\"")) {
                continue;
            }
            if (line.contains("\"audit\":\"load\"")) {
                loads.add(line);
            } else if (line.contains("\"audit\":\"attach\"") && line.contains("\"result\":\"ok\"")) {
                attached++;
            }
        }
        boolean one = loads.size() == 1 && loads.get(0).contains("\"result\":\"ok\"");
        int programs = loads.size() == 1 ? loads.get(0).replaceAll(".*\"programs\":\"([^\"]*)\".*", "$1")
                .split(",").length : 0;
        check("LSM family loaded as one object, no fallback", one && programs == LSM_HOOKS.size(),
                loads.size() + " load line(s) for security_lsm.bpf.o" + (loads.isEmpty() ? "" : ": " + loads));
        check("all 7 LSM programs attached", attached == LSM_HOOKS.size(), attached + " attach(es) ok");
    }

    // ---- fixture -------------------------------------------------------------

    /** Files, binaries, ports and addresses the checks deny, fresh per phase. */
    private final class Fixture implements AutoCloseable {
        final Path deniedFile;
        final Path allowedFile;
        final Path deniedBin;
        final Path allowedBin;
        final int deniedPort;
        final InetAddress deniedAddress;
        /** Listens on the denied port (bound before the rules: deny_port refuses bind too). */
        final ServerSocket deniedServer;
        /** Listens on every loopback address, so 127.0.0.3 would connect if allowed. */
        final ServerSocket allowedServer;
        final int allowedPort;

        Fixture() throws IOException {
            Path d = Files.createTempDirectory(dir, "phase-");
            deniedFile = Files.writeString(d.resolve("denied.txt"), "denied\n");
            allowedFile = Files.writeString(d.resolve("allowed.txt"), "allowed\n");
            deniedBin = copyOfTrue(d.resolve("denied-true"));
            allowedBin = copyOfTrue(d.resolve("allowed-true"));
            deniedServer = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
            deniedPort = deniedServer.getLocalPort();
            allowedServer = new ServerSocket();
            allowedServer.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), 16);
            allowedPort = allowedServer.getLocalPort();
            deniedAddress = InetAddress.getByName("127.0.0.3");
        }

        @Override
        public void close() throws IOException {
            deniedServer.close();
            allowedServer.close();
        }

        void apply(KernelIngest kernel) {
            kernel.policy().denyInode(deniedFile);
            kernel.policy().denyInode(deniedBin);
            kernel.policy().denyPort(deniedPort);
            kernel.policy().denyAddress(deniedAddress);
        }

        private Path copyOfTrue(Path to) throws IOException {
            Path t = Files.exists(Path.of("/usr/bin/true")) ? Path.of("/usr/bin/true") : Path.of("/bin/true");
            Files.copy(t, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
            return to;
        }
    }

    // ---- helpers -------------------------------------------------------------

    private static IngestConfig config(IngestConfig.Mode mode, ByteArrayOutputStream audit) {
        return new IngestConfig().mode(mode).syscallSampleRate(0).openTracepoint(true)
                .ringBytes(Ring.SECURITY, 1 << 20).ringBytes(Ring.OBSERVABILITY, 1 << 16)
                .audit(new AuditLog(new PrintStream(audit, true, StandardCharsets.UTF_8)));
    }

    /** GUEST_CHECKS_VERBOSE=1: the loader's audit lines (load/attach with timestamps). */
    static void printAudit(ByteArrayOutputStream audit) {
        if (System.getenv("GUEST_CHECKS_VERBOSE") != null) {
            for (String line : audit.toString(StandardCharsets.UTF_8).split("\n")) {
                System.out.println("guest-checks: audit  " + line);
            }
        }
    }

    private static void printHooks(KernelIngest kernel) {
        for (HookStatus h : kernel.hooks()) {
            System.out.println("guest-checks: status  " + h.describe());
        }
    }

    private static HookStatus hook(KernelIngest kernel, String name) {
        return kernel.hooks().stream().filter(h -> h.hook().equals(name)).findFirst().orElse(null);
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 3000);
        }
    }

    static boolean isEperm(Throwable t) {
        return String.valueOf(t.getMessage()).contains("Operation not permitted");
    }

    private static String execId(RecordView r) {
        return r.number("tgid") + ":" + Long.toUnsignedString(r.number("start_ns"));
    }

    static String render(RecordView r) {
        return r == null ? "no record" : RecordJson.render(r);
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    static Optional<Throwable> attempt(Action a) {
        try {
            a.run();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(e);
        }
    }

    void check(String name, boolean ok, String detail) {
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        System.out.println((ok ? "PASS " : "FAIL ") + name + ": " + detail);
    }

    private void fail(String name, String detail) {
        check(name, false, detail);
    }

    void skip(String name, String why) {
        skipped++;
        System.out.println("SKIP " + name + ": " + why);
    }

    /** A child process run to completion; START_FAILED when exec itself failed. */
    static final class Proc {
        static final int START_FAILED = -1000;
        final long pid;
        final int exit;
        final String output;

        private Proc(long pid, int exit, String output) {
            this.pid = pid;
            this.exit = exit;
            this.output = output;
        }

        static Proc run(String... cmd) throws InterruptedException {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                return new Proc(-1, START_FAILED, String.valueOf(e.getMessage()));
            }
            String out;
            try {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                out = e.toString();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Proc(p.pid(), -1, out + " (killed after 30 s)");
            }
            return new Proc(p.pid(), p.exitValue(), out);
        }

        String describe() {
            return exit == START_FAILED ? "not started: " + output : "exit " + exit;
        }
    }

    /** Reads the security ring on its own thread and keeps a copy of every record. */
    static final class Collector implements AutoCloseable {
        private final ConcurrentLinkedQueue<byte[]> records = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean running = true;

        Collector(KernelIngest kernel) {
            RingBufferReader reader = kernel.reader(Ring.SECURITY);
            thread = new Thread(() -> {
                while (running) {
                    reader.poll(r -> {
                        byte[] copy = new byte[r.length()];
                        r.copyTo(copy, 0);
                        records.add(copy);
                    }, 20, 10_000);
                }
            }, "guest-checks-security");
            thread.setDaemon(true);
            thread.start();
        }

        /** The first matching record, waiting up to 15 s; null when none came. */
        RecordView await(Predicate<RecordView> match) throws InterruptedException {
            long deadline = System.nanoTime() + AWAIT_NS;
            do {
                RecordView r = find(match);
                if (r != null) {
                    return r;
                }
                Thread.sleep(20);
            } while (System.nanoTime() < deadline);
            return null;
        }

        List<RecordView> all(Predicate<RecordView> match) {
            List<RecordView> out = new ArrayList<>();
            for (byte[] b : records) {
                RecordView v = new RecordView().wrap(b, 0, b.length);
                if (match.test(v)) {
                    out.add(v);
                }
            }
            return out;
        }

        RecordView find(Predicate<RecordView> match) {
            for (byte[] b : records) {
                RecordView v = new RecordView().wrap(b, 0, b.length);
                if (match.test(v)) {
                    return v;
                }
            }
            return null;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}
