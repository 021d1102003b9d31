package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.PinDir;
import dev.twinlane.ingest.PolicyApplier;
import dev.twinlane.ingest.PolicyNet;
import dev.twinlane.ingest.PolicyEvent;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.policy.BreakGlassToken;
import dev.twinlane.policy.Whitelist;
import dev.twinlane.policy.BundleSigner;
import dev.twinlane.policy.Refusal;
import dev.twinlane.policy.SigningKey;
import dev.twinlane.wal.KeyRing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The policy plane of a running pipeline on the host kernel (root): the cgroup connect
 * programs really refuse. A pin directory of its own under /sys/fs/bpf, removed afterwards.
 */
class PolicyControlTest {
    private static final String DENY = "deny:\n  network:\n    - cidr: 127.77.30.0/24\n";

    @TempDir
    Path tmp;
    private Path pins;
    private Path data;
    private SigningKey key;
    private ServerSocket server;

    @BeforeEach
    void setUp() throws IOException {
        PipelineTest.requireRoot();
        pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        data = tmp.resolve("data");
        Path trusted = Files.createDirectories(tmp.resolve("trusted"));
        key = SigningKey.generate(tmp.resolve("signer.key"), trusted.resolve("signer.pub"));
        server = PolicyNet.server("127.77.30.5");
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            PinDir.remove(pins);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private AgentConfig config(Path file, Duration deadman) {
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.syscallSampleRate(0);
        c.securityRealtimePriority = 0;
        c.policy = new PolicySettings();
        c.policy.pinDir = pins;
        c.policy.trustedKeys = tmp.resolve("trusted");
        c.policy.controlSocket = tmp.resolve("control.sock");
        c.policy.deadmanTtl = deadman;
        c.policy.file = file;
        return c;
    }

    private Path plain(String name, long version, String rules) throws IOException {
        return Files.writeString(tmp.resolve(name), text(version, rules));
    }

    private static String text(long version, String rules) {
        return "version: " + version + "\nmode: enforce\n" + rules;
    }

    private Path bundle(String name, long version, String rules, SigningKey by) throws IOException {
        return Files.writeString(tmp.resolve(name), BundleSigner.sign(text(version, rules), name, by).render());
    }

    private AgentControl control() {
        return new AgentControl(tmp.resolve("control.sock"));
    }

    @Test
    void appliesRefusesRollsBackAndBreaksGlassThroughTheControlSocket() throws Exception {
        try (Pipeline p = Pipeline.start(config(plain("v1.yaml", 1, DENY), Duration.ZERO), new SimpleMeterRegistry(),
                Pipeline.PLAIN)) {
            assertRefused();
            AgentControl agent = control();

            assertOk(agent.apply(bundle("v2.bundle", 2, "", key), true));
            assertConnects();

            // through the command line, as an operator would: one line on stderr, exit 1, nothing changed
            Console older = Console.run("policy", "apply", "--require-signature", "--socket",
                    tmp.resolve("control.sock").toString(), bundle("v1b.bundle", 1, DENY, key).toString());
            assertEquals(1, older.code(), older.out());
            assertEquals("", older.out());
            // (the agent's own line, in this same JVM, is on stderr too)
            assertTrue(older.err().lines().allMatch(l -> l.startsWith("twinlane policy: refused")), older.err());
            assertTrue(older.err().contains("not above the last applied version 2"), older.err());
            assertConnects();   // version 2 stays in force
            assertFalse(agent.apply(plain("v3.yaml", 3, DENY), true).ok(), "unsigned, signature required");
            String signed = BundleSigner.sign(text(3, ""), "v3", key).render();
            Path tampered = Files.writeString(tmp.resolve("tampered.bundle"), signed + DENY);
            assertFalse(agent.apply(tampered, false).ok(), "tampered");
            SigningKey stranger = SigningKey.generate(tmp.resolve("stranger.key"), tmp.resolve("stranger.pub"));
            assertFalse(agent.apply(bundle("stranger.bundle", 3, DENY, stranger), false).ok(), "unknown key");
            Files.setPosixFilePermissions(tmp.resolve("trusted"), PosixFilePermissions.fromString("rwxrwxr-x"));
            assertFalse(agent.apply(bundle("v3.bundle", 3, DENY, key), false).ok(), "a group-writable key directory");
            Files.setPosixFilePermissions(tmp.resolve("trusted"), PosixFilePermissions.fromString("rwxr-xr-x"));
            assertConnects();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(
                    "control.sock"))));

            AgentControl.Reply back = agent.rollback();
            assertOk(back);
            assertTrue(back.message().contains("from version 2 to version 1"), back.message());
            assertRefused();

            assertFalse(agent.mode("audit", null).ok(), "enforce to audit needs a token");
            assertRefused();
            assertOk(agent.mode("audit", BreakGlassToken.create(key, Instant.now())));
            assertConnects();
            assertOk(agent.mode("enforce", null));
            assertRefused();

            AgentControl.Reply status = agent.status();
            assertTrue(status.body().path("lines").get(0).asText().startsWith("policy version 1 mode enforce"),
                    status.body().toString());
            assertEquals(1, agent.show().body().path("version").asLong());
            assertTrue(String.join("\n", p.health()).contains("policy pins " + pins), "status file lines");
        }
        List<long[]> events = policyEvents();   // {event, reason, version}
        List<Long> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e[0]));
        assertEquals(List.of(kind(PolicyEvent.Kind.APPLY), kind(PolicyEvent.Kind.APPLY), kind(PolicyEvent.Kind.REFUSAL),
                kind(PolicyEvent.Kind.REFUSAL), kind(PolicyEvent.Kind.REFUSAL), kind(PolicyEvent.Kind.REFUSAL),
                kind(PolicyEvent.Kind.REFUSAL), kind(PolicyEvent.Kind.ROLLBACK), kind(PolicyEvent.Kind.REFUSAL), kind(PolicyEvent.Kind.BREAK_GLASS),
                kind(PolicyEvent.Kind.MODE_CHANGE)), kinds, "one chained record per action and refusal, in order");
        assertEquals(reason(Refusal.Reason.NOT_NEWER), events.get(2)[1]);
        assertEquals(reason(Refusal.Reason.UNSIGNED), events.get(3)[1]);
        assertEquals(reason(Refusal.Reason.TAMPERED), events.get(4)[1]);
        assertEquals(reason(Refusal.Reason.UNKNOWN_KEY), events.get(5)[1]);
        assertEquals(reason(Refusal.Reason.UNSAFE_KEY_DIRECTORY), events.get(6)[1]);
        assertEquals(1, events.get(7)[2], "rolled back to version 1");
        assertEquals(reason(Refusal.Reason.BAD_TOKEN), events.get(8)[1]);
    }

    /** An operator's apply is fill and flip only: the heartbeat empties the slot the apply before left. */
    @Test
    void theHeartbeatEmptiesTheSlotAnApplyLeftBehind() throws Exception {
        try (Pipeline p = Pipeline.start(config(plain("v1.yaml", 1, DENY), Duration.ZERO), new SimpleMeterRegistry(),
                Pipeline.PLAIN)) {
            assertOk(control().apply(plain("v2.yaml", 2, DENY.replace("127.77.30.0/24", "127.77.31.0/24")), false));
            PolicyApplier applier = p.kernel().policyApplier();
            long until = System.nanoTime() + 3_000_000_000L;
            while (!applier.nextSlotEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(applier.nextSlotEmpty(), "version 1's slot emptied after version 2 was applied");
            assertEquals(2, applier.inForce().version());
            assertTrue(applier.drift().clean(), "version 2 whole: " + applier.drift().describe());
            assertConnects();   // 127.77.30.5, which only version 1 denied
        }
    }

    @Test
    void aStoppedHeartbeatLetsTheDeadmanLapseToAuditOnlyAndARenewalRestoresEnforcement() throws Exception {
        try (Pipeline p = Pipeline.start(config(plain("v1.yaml", 1, DENY), Duration.ofMillis(600)),
                new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertRefused();
            p.heartbeat().pause(true);
            Thread.sleep(1000);
            assertConnects();   // audit-only past the deadline
            assertTrue(String.join("\n", p.health()).contains("problem: the policy deadman lapsed"));
            p.heartbeat().renew();
            assertRefused();
            p.heartbeat().pause(false);
        }
        assertTrue(policyEvents().stream().anyMatch(e -> e[0] == kind(PolicyEvent.Kind.DEADMAN_LAPSE)));
        boolean flagged = false;
        for (LogContents.Entry e : LogContents.security(data, keys())) {
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (e.kind() <= dev.twinlane.wal.proof.Kinds.MAX_APP_KIND && r.kind() == RecordKind.CONNECT
                    && r.number("dport") == server.getLocalPort() && r.number("decision") == 2) {
                flagged |= (r.number("decision_flags") & 2) != 0;   // TL_FLAG_DEADMAN
            }
        }
        assertTrue(flagged, "the connect let through past the deadline is an audit_deny flagged deadman");
    }

    @Test
    void pinsKeepEnforcingAfterAStopAndANewPipelineTakesOver() throws Exception {
        Path v1 = plain("v1.yaml", 1, DENY);
        try (Pipeline p = Pipeline.start(config(v1, Duration.ZERO), new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertRefused();
        }
        assertRefused();   // no agent runs: the pinned links and maps enforce
        try (Pipeline p = Pipeline.start(config(v1, Duration.ZERO), new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertEquals(1, p.policyPlane().version(), "the pinned policy is taken over, not refused as a replay");
            assertRefused();
            assertOk(control().apply(plain("v2.yaml", 2, ""), false));
            assertConnects();
            assertOk(control().apply(plain("v3.yaml", 3, DENY), false));
        }
        assertRefused();
        // a restart whose configured file is older than the pinned policy: refused, the pins stay in force
        try (Pipeline p = Pipeline.start(config(tmp.resolve("v2.yaml"), Duration.ZERO), new SimpleMeterRegistry(),
                Pipeline.PLAIN)) {
            assertEquals(3, p.policyPlane().version());
            assertRefused();
        }
        List<long[]> events = policyEvents();
        assertEquals(kind(PolicyEvent.Kind.REFUSAL), events.get(events.size() - 1)[0]);
        assertEquals(reason(Refusal.Reason.NOT_NEWER), events.get(events.size() - 1)[1]);
        PinDir.remove(pins);
        // the unpinned links are freed after an RCU grace period: until then their programs still decide
        PolicyNet.awaitConnects(server, 2000);
    }

    @Test
    void whatThePinnedProgramsDecideWhileNoAgentRunsIsLoggedByTheNextAgentItsDropsAsOneGap() throws Exception {
        Path v1 = plain("v1.yaml", 1, DENY);
        AgentConfig first = config(v1, Duration.ZERO);
        first.ingest.ringBytes(Ring.SECURITY, 4096);   // about 30 connect records fit: the connects below overflow it
        try (Pipeline p = Pipeline.start(first, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertRefused();
        }
        long down = KernelClock.bootNanos();
        int connects = 300;
        for (int i = 0; i < connects; i++) {
            tryConnect();   // refused by the pinned program, which records into the pinned ring or counts a drop
        }
        long up = KernelClock.bootNanos();
        AgentConfig second = config(v1, Duration.ZERO);   // configured at 8 MiB: keeps the pinned ring's 4 KiB
        try (Pipeline p = Pipeline.start(second, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            Thread.sleep(500);   // the first drain and the first drop check
        }
        long recorded = 0;
        long downtimeGap = -1;
        long gapped = 0;
        for (LogContents.Entry e : LogContents.security(data, keys())) {
            if (e.kind() == dev.twinlane.wal.proof.Kinds.GAP) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(e.payload()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                gapped += b.getLong(0);
                if (b.getLong(16) <= down && b.getLong(24) >= up) {
                    assertEquals(-1, downtimeGap, "one gap spans the time no agent ran");
                    downtimeGap = b.getLong(0);
                }
                continue;
            }
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (e.kind() <= dev.twinlane.wal.proof.Kinds.MAX_APP_KIND && r.kind() == RecordKind.CONNECT
                    && r.number("ktime_ns") > down && r.number("ktime_ns") < up && r.number("dport") == server.getLocalPort()) {
                recorded++;
            }
        }
        long logged = loggedDrops();
        System.out.printf("while no agent ran: %d connects refused, %d of them recorded from the pinned ring, %d drops"
                + " (other processes' connects too) in the gap spanning it; all gaps %d, drops_logged %d%n", connects,
                recorded, downtimeGap, gapped, logged);
        assertTrue(recorded > 0, "records made while no agent ran are read from the pinned ring");
        assertTrue(downtimeGap >= connects - recorded, "every refused connect is a record or counted in the gap: "
                + downtimeGap + " < " + (connects - recorded));
        assertEquals(logged, gapped, "the GAP records name each drop once: as many as drops_logged says are logged");
    }

    /** drops_logged's security entry (tl_drops_logged.count), read with bpftool from the pin. */
    private long loggedDrops() throws Exception {
        Process p = new ProcessBuilder("bpftool", "map", "lookup", "pinned", pins.resolve("drops_logged").toString(),
                "key", "0", "0", "0", "0").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"count\":\\s*(\\d+)").matcher(out);
        assertTrue(m.find(), "bpftool's output names count: " + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aBreakGlassEndsWhenItsTokenExpiresAndEnforceComesBack() throws Exception {
        try (Pipeline p = Pipeline.start(config(plain("v1.yaml", 1, DENY), Duration.ZERO), new SimpleMeterRegistry(),
                Pipeline.PLAIN)) {
            assertRefused();
            // a real token, issued so that its 24 h end 3 s from now: no knob shortens the lifetime
            Instant issued = Instant.now().minus(BreakGlassToken.LIFETIME).plusSeconds(3);
            assertOk(control().mode("audit", BreakGlassToken.create(key, issued)));
            assertConnects();
            assertTrue(control().status().body().path("lines").get(0).asText().contains("break-glass until"));
            assertEnforceBackAtTheExpiry(p, issued);
            assertRefused();
            assertTrue(p.policyPlane().breakGlassUntil().isEmpty());
        }
        List<Long> kinds = policyEvents().stream().map(e -> e[0]).toList();
        assertEquals(List.of(kind(PolicyEvent.Kind.APPLY), kind(PolicyEvent.Kind.BREAK_GLASS),
                kind(PolicyEvent.Kind.MODE_CHANGE)), kinds, "the expiry is a chained mode_change event");
        assertTrue(lastPolicyDetail().contains("break-glass token expired at"), lastPolicyDetail());
    }

    @Test
    void aBreakGlassOutlivesARestartOfTheAgentAndStillEnds() throws Exception {
        Path v1 = plain("v1.yaml", 1, DENY);
        // a real token whose 24 h end 8 s from now: time for a stop and a start in between
        Instant issued = Instant.now().minus(BreakGlassToken.LIFETIME).plusSeconds(8);
        try (Pipeline p = Pipeline.start(config(v1, Duration.ZERO), new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertRefused();
            assertOk(control().mode("audit", BreakGlassToken.create(key, issued)));
            assertConnects();
        }
        try (Pipeline p = Pipeline.start(config(v1, Duration.ZERO), new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertConnects();   // the pinned audit mode, taken over with its expiry
            assertEquals(issued.plus(BreakGlassToken.LIFETIME).getEpochSecond(),
                    p.policyPlane().breakGlassUntil().orElseThrow().getEpochSecond(), "the expiry, kept across the restart");
            assertEnforceBackAtTheExpiry(p, issued);
            assertRefused();
        }
        assertFalse(Files.exists(data.resolve("state/policy").resolve(dev.twinlane.policy.BreakGlassState.FILE)), "nothing left to resume");
        assertTrue(lastPolicyDetail().contains("break-glass token expired at"), lastPolicyDetail());
    }

    /** Enforce comes back within 2 s of the token's end (the heartbeat checks every second). */
    private static void assertEnforceBackAtTheExpiry(Pipeline p, Instant issued) throws InterruptedException {
        Instant expiry = issued.plus(BreakGlassToken.LIFETIME);
        long until = System.nanoTime() + Duration.between(Instant.now(), expiry).toNanos() + 5_000_000_000L;
        while (p.policyPlane().mode() == dev.twinlane.policy.Mode.AUDIT && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        long late = Instant.now().getEpochSecond() - expiry.getEpochSecond();
        assertEquals(dev.twinlane.policy.Mode.ENFORCE, p.policyPlane().mode(), "enforce is back after the expiry");
        assertTrue(late <= 2, "ended " + late + " s after the expiry (the heartbeat checks every second)");
    }

    private String lastPolicyDetail() throws IOException {
        List<String> all = policyDetails();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    private List<String> policyDetails() throws IOException {
        List<String> out = new ArrayList<>();
        for (LogContents.Entry e : LogContents.security(data, keys())) {
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (e.kind() <= dev.twinlane.wal.proof.Kinds.MAX_APP_KIND && r.kind() == RecordKind.POLICY) {
                out.add(r.text("detail"));
            }
        }
        return out;
    }

    @Test
    void signedWhitelistEntriesAllowTheirCgroupUntilTheyExpire() throws Exception {
        Path cgroups = KernelIngest.cgroup2Mount();
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path allowed = Files.createDirectory(cgroups.resolve("twinlane-test-wl-a-" + id));
        Path badlySigned = Files.createDirectory(cgroups.resolve("twinlane-test-wl-b-" + id));
        Path expired = Files.createDirectory(cgroups.resolve("twinlane-test-wl-c-" + id));
        try {
            Whitelist.generateKey(tmp.resolve("wl.key"), tmp.resolve("wl.pub"));
            Whitelist.generateKey(tmp.resolve("other.key"), tmp.resolve("other.pub"));
            byte[] signer = Whitelist.loadPrivateKey(tmp.resolve("wl.key"));
            byte[] stranger = Whitelist.loadPrivateKey(tmp.resolve("other.key"));
            // real entries, issued so that the first one's 24 h end 8 s from now: no knob shortens the lifetime
            Instant issued = Instant.now().minus(Whitelist.LIFETIME).plusSeconds(8);
            Path file = Files.writeString(tmp.resolve("whitelist"), String.join("\n",
                    Whitelist.sign(signer, allowed.toString(), issued),
                    Whitelist.sign(stranger, badlySigned.toString(), Instant.now()),
                    Whitelist.sign(signer, expired.toString(), Instant.now().minus(Whitelist.LIFETIME).minusSeconds(60)))
                    + "\n");
            AgentConfig c = config(plain("v1.yaml", 1, DENY), Duration.ZERO);
            c.policy.whitelist = file;
            c.policy.whitelistKey = tmp.resolve("wl.pub");
            Instant expiry = Instant.ofEpochSecond(issued.getEpochSecond()).plus(Whitelist.LIFETIME);
            try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
                String inAllowed = connectFrom(allowed);
                assertTrue(inAllowed.contains("connected"), "whitelisted cgroup: " + inAllowed);
                assertTrue(connectFrom(badlySigned).contains("Operation not permitted"), "badly signed entry ignored");
                assertTrue(connectFrom(expired).contains("Operation not permitted"), "expired entry ignored");
                assertRefused();   // outside every cgroup named
                assertTrue(Instant.now().isBefore(expiry), "the checks above ran before the entry expired");
                String out;
                do {
                    Thread.sleep(100);
                    out = connectFrom(allowed);
                } while (out.contains("connected") && Instant.now().isBefore(expiry.plusSeconds(10)));
                long lateMs = java.time.Duration.between(expiry, Instant.now()).toMillis();
                assertTrue(out.contains("Operation not permitted"), "after the expiry: " + out);
                assertTrue(lateMs <= 2000, "removed " + lateMs + " ms after the expiry (the heartbeat checks every second)");
                System.out.println("whitelist entry out of the kernel " + lateMs + " ms after its expiry (first refused connect)");
            }
            List<long[]> events = policyEvents();
            assertEquals(List.of(kind(PolicyEvent.Kind.APPLY), kind(PolicyEvent.Kind.REFUSAL), kind(PolicyEvent.Kind.REFUSAL),
                    kind(PolicyEvent.Kind.APPLY), kind(PolicyEvent.Kind.APPLY)), events.stream().map(e -> e[0]).toList());
            List<String> details = policyDetails();
            assertTrue(details.get(1).contains("line 2 ignored: it is not signed") && details.get(1).contains("bad_signature"),
                    details.get(1));
            assertTrue(details.get(2).contains("line 3 ignored: it expired at") && details.get(2).contains("(expired)"),
                    details.get(2));
            assertTrue(details.get(3).startsWith("whitelist line 1 (signed) allows until " + expiry), details.get(3));
            assertTrue(details.get(4).startsWith("whitelist line 1 expired at " + expiry + ", no longer allowed"),
                    details.get(4));
        } finally {
            Files.delete(allowed);   // empty again: their only processes have exited
            Files.delete(badlySigned);
            Files.delete(expired);
        }
    }

    /** A connect to the test server from a bash moved into {@code cgroup} first. */
    private String connectFrom(Path cgroup) throws Exception {
        String script = "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec 3<>/dev/tcp/127.77.30.5/"
                + server.getLocalPort() + " && echo connected";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        if (out.contains("connected")) {
            server.setSoTimeout(2000);
            server.accept().close();   // drained: a full backlog would time connects out instead of refusing them
        }
        return out;
    }

    @Test
    void aSustainedDenyRateRevertsToAuditOnly() throws Exception {
        AgentConfig c = config(plain("v1.yaml", 1, DENY), Duration.ZERO);
        c.policy.denyRateRevert = 5;
        c.policy.denyRateWindow = Duration.ofSeconds(1);
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (p.policyPlane().mode() == dev.twinlane.policy.Mode.ENFORCE && System.nanoTime() < until) {
                tryConnect();
                Thread.sleep(10);
            }
            assertEquals(dev.twinlane.policy.Mode.AUDIT, p.policyPlane().mode());
            assertConnects();
        }
        assertTrue(policyEvents().stream().anyMatch(e -> e[0] == kind(PolicyEvent.Kind.REVERT)));
    }

    private KeyRing keys() throws IOException {
        return KeyRing.load(data.resolve("keys/security.key"));
    }

    private List<long[]> policyEvents() throws IOException {
        List<long[]> out = new ArrayList<>();
        for (LogContents.Entry e : LogContents.security(data, keys())) {
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (e.kind() <= dev.twinlane.wal.proof.Kinds.MAX_APP_KIND && r.kind() == RecordKind.POLICY) {
                out.add(new long[] {r.number("event"), r.number("reason"), r.number("version")});
            }
        }
        return out;
    }

    private static long kind(PolicyEvent.Kind k) {
        return k.code();
    }

    private static long reason(Refusal.Reason r) {
        return r.ordinal() + 1;
    }

    private static void assertOk(AgentControl.Reply r) {
        assertTrue(r.ok(), r.message());
    }

    private void tryConnect() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 2000);
        } catch (IOException e) {
            // refused: counted by the agent
        }
    }

    private void assertRefused() {
        PolicyNet.assertRefused(server);
    }

    private void assertConnects() throws IOException {
        PolicyNet.assertConnects(server);
    }
}
