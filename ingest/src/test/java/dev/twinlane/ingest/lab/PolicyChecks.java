package dev.twinlane.ingest.lab;

import static dev.twinlane.ingest.lab.GuestChecks.attempt;
import static dev.twinlane.ingest.lab.GuestChecks.isEperm;
import static dev.twinlane.ingest.lab.GuestChecks.render;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.PinDir;
import dev.twinlane.ingest.PolicyApplier;
import dev.twinlane.ingest.lab.GuestChecks.Collector;
import dev.twinlane.ingest.lab.GuestChecks.Proc;
import dev.twinlane.policy.BundleSigner;
import dev.twinlane.policy.BundleVerifier;
import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.FileSystemResolver;
import dev.twinlane.policy.PolicyCompiler;
import dev.twinlane.policy.PolicyMap;
import dev.twinlane.policy.SigningKey;
import dev.twinlane.policy.SurvivalList;
import dev.twinlane.policy.TrustedKeys;
import dev.twinlane.policy.VerifiedPolicy;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/**
 * Guest checks of issue 13 (BPF LSM active): the LSM programs enforce a signed policy applied
 * through {@link PolicyApplier} (deny by inode, by path prefix, exec deny, survival list, watch
 * rules, audit mode, deadman lapse), and lsm/bpf refuses another root process's bpf() on
 * twinlane's maps, programs and links (bpftool on a pinned deny map, by id, and through a bind
 * mount of the pin directory) with a record naming it. Lines as {@link GuestChecks}.
 */
final class PolicyChecks {
    static final Path PIN_DIR = Path.of("/sys/fs/bpf/twinlane-lab");
    private static final int DENY = 1;
    private static final int AUDIT_DENY = 2;
    private static final int FLAG_POLICY = 1;
    private static final int FLAG_DEADMAN = 2;
    private static final int FLAG_DEADMAN_FIRST = 4;
    private static final int BPF_MAP_UPDATE_ELEM = 2;
    private static final int BPF_OBJ_GET = 7;
    private static final int BPF_PROG_GET_FD_BY_ID = 13;
    private static final int BPF_MAP_GET_FD_BY_ID = 14;
    private static final int BPF_LINK_GET_FD_BY_ID = 30;

    /** A loopback address no test listens on: a denied connect fails with EPERM, an allowed one is refused. */
    private static final String NET_DENIED = "127.0.0.9";
    private static final int NET_PORT = 4242;

    private final GuestChecks g;
    private final long self = ProcessHandle.current().pid();
    private final Path d;
    private final Path inodeDenied;
    private final Path prefixDenied;
    private final Path allowed;
    private final Path execDenied;
    private final Path otherTrue;
    private final Path survivalTrue;
    private final Path survivalPath;
    private final Path watched;
    private final Path watchedUnder;
    private final SigningKey key;
    private final TrustedKeys trusted;

    PolicyChecks(GuestChecks g, Path parent) throws Exception {
        this.g = g;
        d = Files.createTempDirectory(parent, "policy-");
        inodeDenied = Files.writeString(d.resolve("inode-denied.txt"), "x\n");
        allowed = Files.writeString(d.resolve("allowed.txt"), "x\n");
        watched = Files.writeString(d.resolve("watched.txt"), "x\n");
        Path real = Files.createDirectory(d.resolve("real"));
        prefixDenied = Files.writeString(real.resolve("prefix-denied.txt"), "x\n");
        otherTrue = copyOfTrue(real.resolve("other-true"));
        survivalTrue = copyOfTrue(real.resolve("survival-true"));
        // The survival entry names the binary through a symbolic link, so the prefix rule on real/
        // compiles (it does not prefix the entry's path) and the kernel sees both rules match.
        Files.createSymbolicLink(d.resolve("link"), real);
        survivalPath = d.resolve("link").resolve("survival-true");
        execDenied = copyOfTrue(d.resolve("exec-denied-true"));
        watchedUnder = Files.writeString(Files.createDirectory(d.resolve("wdir")).resolve("w.txt"), "x\n");
        Path keys = Files.createDirectory(d.resolve("keys"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        key = SigningKey.generate(d.resolve("signing.key"), keys.resolve("lab.pub"));
        trusted = TrustedKeys.load(keys);
    }

    void run() throws Exception {
        ByteArrayOutputStream audit = new ByteArrayOutputStream();
        IngestConfig config = new IngestConfig().mode(IngestConfig.Mode.ENFORCE).syscallSampleRate(0)
                .openTracepoint(false).pinDir(PIN_DIR)
                .ringBytes(Ring.SECURITY, 1 << 20).ringBytes(Ring.OBSERVABILITY, 1 << 16)
                .audit(new AuditLog(new PrintStream(audit, true, StandardCharsets.UTF_8)));
        long t = System.nanoTime();
        try (KernelIngest kernel = KernelIngest.start(config); Collector records = new Collector(kernel)) {
            System.out.printf(Locale.ROOT, "guest-checks: KernelIngest.start (signed policy) took %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            GuestChecks.printAudit(audit);
            enforce(kernel, records);
            selfProtection(kernel, records);
            audit(kernel, records);
            deadman(kernel, records);
        } finally {
            PinDir.remove(PIN_DIR);
        }
    }

    /** Compiled from a bundle signed, verified (signature required) and compiled as the agent does. */
    private CompiledPolicy signed(long version, String mode) {
        String text = "version: " + version + "\nmode: " + mode + "\n"
                + "survival:\n  - " + survivalPath + "\n"
                + "deny:\n  files: [" + inodeDenied + "]\n  prefixes: [" + d.resolve("real") + "/]\n"
                + "  exec: [" + execDenied + "]\n"
                + "  network:\n    - addr: " + NET_DENIED + "\n"
                + "watch:\n  files: [" + watched + "]\n  prefixes: [" + d.resolve("wdir") + "/]\n";
        String bundle = BundleSigner.sign(text, "lab.yaml", key).render();
        VerifiedPolicy v = new BundleVerifier(trusted, true).verify(bundle, "lab bundle v" + version);
        return new PolicyCompiler(new FileSystemResolver(), SurvivalList.of(SurvivalList.currentBinary(), List.of()))
                .compile(v.policy(), "lab bundle v" + version);
    }

    private PolicyApplier.Applied apply(KernelIngest kernel, long version, String mode) {
        PolicyApplier.Applied a = kernel.policyApplier().apply(signed(version, mode));
        System.out.printf(Locale.ROOT, "guest-checks: signed policy v%d (%s) applied: slot %d, %d entries, %.2f ms%n",
                version, mode, a.slot(), a.entries(), a.millis());
        return a;
    }

    private void enforce(KernelIngest kernel, Collector records) throws Exception {
        apply(kernel, 1, "enforce");
        Optional<Throwable> byInode = attempt(() -> Files.readString(inodeDenied));
        g.check("policy file deny by inode (EPERM)", byInode.isPresent() && isEperm(byInode.get()),
                inodeDenied + ": " + byInode.map(Throwable::toString).orElse("opened"));
        Optional<Throwable> byPrefix = attempt(() -> Files.readString(prefixDenied));
        g.check("policy file deny by prefix (EPERM)", byPrefix.isPresent() && isEperm(byPrefix.get()),
                prefixDenied + ": " + byPrefix.map(Throwable::toString).orElse("opened"));
        Optional<Throwable> ok = attempt(() -> Files.readString(allowed));
        g.check("policy allowed file opens", ok.isEmpty(), allowed + ": " + ok.map(Throwable::toString).orElse("opened"));
        RecordView ri = openRecord(records, inodeDenied, DENY);
        g.check("policy record, deny by inode", ri != null && ri.number("ret") == -1
                && (ri.number("decision_flags") & FLAG_POLICY) != 0, render(ri));
        RecordView rp = openRecord(records, prefixDenied, DENY);
        g.check("policy record, deny by prefix", rp != null && (rp.number("decision_flags") & FLAG_POLICY) != 0,
                render(rp));

        Proc exec = Proc.run(execDenied.toString());
        g.check("policy exec deny (EPERM)", exec.exit == Proc.START_FAILED
                && exec.output.contains("Operation not permitted"), execDenied + ": " + exec.describe());
        RecordView re = records.await(r -> r.kind() == RecordKind.EXEC
                && r.text("filename").equals(execDenied.toString()) && r.number("decision") == DENY);
        g.check("policy exec record", re != null && (re.number("decision_flags") & FLAG_POLICY) != 0
                && re.number("ret") == -1, render(re));
        Optional<Throwable> read = attempt(() -> Files.readAllBytes(execDenied));
        g.check("policy exec rule does not deny reading the binary", read.isEmpty(),
                execDenied + ": " + read.map(Throwable::toString).orElse("read"));
        Proc other = Proc.run(otherTrue.toString());
        g.check("policy prefix denies exec of a binary under it (EPERM)", other.exit == Proc.START_FAILED
                && other.output.contains("Operation not permitted"), otherTrue + ": " + other.describe());
        Proc survivor = Proc.run(survivalTrue.toString());
        g.check("policy survival binary runs under a denying prefix", survivor.exit == 0,
                survivalTrue + " (survival entry " + survivalPath + "): " + survivor.describe());

        Optional<Throwable> w1 = attempt(() -> Files.readString(watched));
        Optional<Throwable> w2 = attempt(() -> Files.readString(watchedUnder));
        RecordView rw1 = openRecord(records, watched, 0);
        RecordView rw2 = openRecord(records, watchedUnder, 0);
        g.check("policy watch rules record allowed opens", w1.isEmpty() && w2.isEmpty() && rw1 != null && rw2 != null,
                render(rw1) + " / " + render(rw2));
        RecordView unwatched = records.find(r -> r.kind() == RecordKind.FILE_OPEN
                && r.text("path").equals(allowed.toString()));
        g.check("policy unwatched allowed open not recorded", unwatched == null, render(unwatched));
        network(records, DENY);
    }

    /**
     * The policy's network rule through lsm/socket_connect (where the BPF LSM runs, the cgroup
     * programs are not attached): a connect to the denied address fails with EPERM in enforce mode
     * and is refused by the closed port in audit mode, recorded either way with the policy flag;
     * another address is not denied.
     */
    private void network(Collector records, int decision) throws Exception {
        String mode = decision == DENY ? "" : "audit mode: ";
        Optional<Throwable> denied = attempt(() -> connect(NET_DENIED));
        boolean eperm = denied.isPresent() && isEperm(denied.get());
        g.check("policy " + mode + "network rule by address (lsm/socket_connect)", decision == DENY ? eperm : denied.isPresent() && !eperm,
                NET_DENIED + ":" + NET_PORT + ": " + denied.map(Throwable::toString).orElse("connected"));
        RecordView r = records.await(x -> x.kind() == RecordKind.CONNECT && x.number("tgid") == self
                && x.number("dport") == NET_PORT && x.number("decision") == decision);
        g.check("policy " + mode + "network record", r != null && (r.number("decision_flags") & FLAG_POLICY) != 0
                && r.number("ret") == (decision == DENY ? -1 : 0), render(r));
        Optional<Throwable> other = attempt(() -> connect("127.0.0.1"));
        g.check("policy " + mode + "other address not denied", other.isPresent() && !isEperm(other.get()),
                "127.0.0.1:" + NET_PORT + ": " + other.map(Throwable::toString).orElse("connected"));
    }

    private static void connect(String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, NET_PORT), 2000);
        }
    }

    /** A second root process (bpftool) on twinlane's maps and programs: EPERM and a record naming it. */
    private void selfProtection(KernelIngest kernel, Collector records) throws Exception {
        int slot = kernel.policyApplier().inForce().slot();
        String map = "pdeny_inode_s" + slot;
        int mapId = kernel.selfProtection().mapId(map);
        int before = kernel.policyApplier().activeEntries(PolicyMap.DENY_INODE);
        List<String> entry = new ArrayList<>(List.of("key", "hex"));
        for (int i = 0; i < 16; i++) {
            entry.add(i == 0 ? "2a" : "00");
        }
        entry.addAll(List.of("value", "hex", "01"));

        Proc pinned = bpftool(entry, "map", "update", "pinned", PIN_DIR.resolve(map).toString());
        refused(records, pinned, "bpftool map update pinned " + PIN_DIR.resolve(map), BPF_OBJ_GET, 3, 0);
        Proc byId = bpftool(entry, "map", "update", "id", String.valueOf(mapId));
        refused(records, byId, "bpftool map update id " + mapId, BPF_MAP_GET_FD_BY_ID, 1, mapId);
        int progId = kernel.selfProtection().programIds().get("tl_lsm_file_open");
        Proc prog = bpftool(List.of(), "prog", "show", "id", String.valueOf(progId));
        refused(records, prog, "bpftool prog show id " + progId, BPF_PROG_GET_FD_BY_ID, 2, progId);
        int linkId = kernel.selfProtection().linkIds().get("tl_lsm_file_open");
        Proc link = bpftool(List.of(), "link", "detach", "id", String.valueOf(linkId));
        refused(records, link, "bpftool link detach id " + linkId, BPF_LINK_GET_FD_BY_ID, 4, linkId);

        // Through a bind mount of the pin directory the path check passes; the map fd is refused.
        Path mnt = Files.createDirectory(d.resolve("bpfmnt"));
        Proc mount = Proc.run("mount", "--bind", PIN_DIR.toString(), mnt.toString());
        if (mount.exit != 0) {
            g.check("self-protection: bind mount of the pin directory", false, mount.output.trim());
        } else {
            try {
                Proc viaMount = bpftool(entry, "map", "update", "pinned", mnt.resolve(map).toString());
                refused(records, viaMount, "bpftool map update pinned " + mnt.resolve(map) + " (bind mount)",
                        BPF_MAP_UPDATE_ELEM, 1, mapId);
            } finally {
                Proc.run("umount", mnt.toString());
            }
        }
        int after = kernel.policyApplier().activeEntries(PolicyMap.DENY_INODE);
        g.check("self-protection: the deny map is unchanged", before == after && before > 0,
                map + " holds " + after + " entries, " + before + " before");
    }

    private Proc bpftool(List<String> tail, String... head) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/bpftool"));
        cmd.addAll(List.of(head));
        cmd.addAll(tail);
        return Proc.run(cmd.toArray(String[]::new));
    }

    private void refused(Collector records, Proc p, String what, int cmd, int targetType, long targetId)
            throws InterruptedException {
        RecordView r = records.await(v -> v.kind() == RecordKind.BPF && v.number("tgid") == p.pid
                && v.number("decision") == DENY);
        g.check("self-protection: " + what + " (EPERM)", p.exit != 0 && p.output.contains("Operation not permitted"),
                "exit " + p.exit + ": " + p.output.trim().replace('\n', ' '));
        g.check("self-protection record: " + what, r != null && r.text("comm").equals("bpftool")
                && r.number("cmd") == cmd && r.number("target_type") == targetType && r.number("target_id") == targetId
                && r.number("ret") == -1 && r.number("source") == 1, render(r));
    }

    private void audit(KernelIngest kernel, Collector records) throws Exception {
        apply(kernel, 2, "audit");
        Optional<Throwable> byInode = attempt(() -> Files.readString(inodeDenied));
        Optional<Throwable> byPrefix = attempt(() -> Files.readString(prefixDenied));
        g.check("policy audit mode: denied files open", byInode.isEmpty() && byPrefix.isEmpty(),
                byInode.map(Throwable::toString).orElse("inode rule: opened") + ", "
                        + byPrefix.map(Throwable::toString).orElse("prefix rule: opened"));
        RecordView ri = openRecord(records, inodeDenied, AUDIT_DENY);
        RecordView rp = openRecord(records, prefixDenied, AUDIT_DENY);
        g.check("policy audit mode: records say audit_deny", ri != null && rp != null && ri.number("ret") == 0
                && (ri.number("decision_flags") & FLAG_POLICY) != 0, render(ri) + " / " + render(rp));
        Proc exec = Proc.run(execDenied.toString());
        RecordView re = records.await(r -> r.kind() == RecordKind.EXEC && r.number("decision") == AUDIT_DENY
                && r.text("filename").equals(execDenied.toString()));
        g.check("policy audit mode: denied exec runs, recorded audit_deny", exec.exit == 0 && re != null
                && re.number("ret") == 0, exec.describe() + "; " + render(re));
        network(records, AUDIT_DENY);
    }

    private void deadman(KernelIngest kernel, Collector records) throws Exception {
        apply(kernel, 3, "enforce");
        Duration ttl = Duration.ofSeconds(4);
        long renewed = System.nanoTime();
        kernel.deadman().renew(ttl);
        Optional<Throwable> within = attempt(() -> Files.readString(inodeDenied));
        long withinMs = (System.nanoTime() - renewed) / 1_000_000;
        g.check("deadman: enforced within its TTL (EPERM)", within.isPresent() && isEperm(within.get())
                && withinMs < ttl.toMillis(), "open " + withinMs + " ms after the renewal: "
                + within.map(Throwable::toString).orElse("opened"));
        long wait = ttl.toNanos() + 500_000_000L - (System.nanoTime() - renewed);
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
        long marker = System.nanoTime();
        Optional<Throwable> lapsed = attempt(() -> Files.readString(inodeDenied));
        g.check("deadman: lapsed, the deny becomes audit-only", lapsed.isEmpty(),
                lapsed.map(Throwable::toString).orElse("opened"));
        RecordView r = records.await(v -> v.kind() == RecordKind.FILE_OPEN && v.number("tgid") == self
                && v.text("path").equals(inodeDenied.toString()) && (v.number("decision_flags") & FLAG_DEADMAN) != 0);
        g.check("deadman: record says audit_deny with the deadman flag", r != null && r.number("decision") == AUDIT_DENY
                && r.number("ret") == 0 && (r.number("decision_flags") & FLAG_POLICY) != 0, render(r));
        List<RecordView> first = records.all(v -> (v.number("decision_flags") & FLAG_DEADMAN_FIRST) != 0);
        g.check("deadman: exactly one record says it is the first after the lapse", first.size() == 1
                && kernel.deadman().lapseSeen(), first.size() + " record(s): "
                + (first.isEmpty() ? "none" : render(first.get(0))));
        kernel.deadman().renew(Duration.ofSeconds(60));
        Optional<Throwable> again = attempt(() -> Files.readString(inodeDenied));
        g.check("deadman: enforced again after a renewal (EPERM)", again.isPresent() && isEperm(again.get()),
                again.map(Throwable::toString).orElse("opened") + " (" + (System.nanoTime() - marker) / 1_000_000
                        + " ms after the lapsed open)");
        kernel.deadman().disarm();
    }

    private static RecordView openRecord(Collector records, Path path, int decision) throws InterruptedException {
        long self = ProcessHandle.current().pid();
        return records.await(r -> r.kind() == RecordKind.FILE_OPEN && r.number("tgid") == self
                && r.text("path").equals(path.toString()) && r.number("decision") == decision);
    }

    private static Path copyOfTrue(Path to) throws java.io.IOException {
        Path t = Files.exists(Path.of("/usr/bin/true")) ? Path.of("/usr/bin/true") : Path.of("/bin/true");
        Files.copy(t, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        return to;
    }
}
