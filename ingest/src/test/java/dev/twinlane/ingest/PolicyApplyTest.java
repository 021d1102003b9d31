package dev.twinlane.ingest;

import static dev.twinlane.ingest.PolicyNet.assertConnects;
import static dev.twinlane.ingest.PolicyNet.assertRefused;
import static dev.twinlane.ingest.PolicyNet.ip;
import static dev.twinlane.ingest.PolicyNet.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.PolicyMap;
import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * Compiled policies applied to the host kernel's cgroup connect/bind programs through the
 * slotted, pinned maps (a pin directory of this test's own, removed at the end). Needs root.
 */
class PolicyApplyTest {
    private static Path pins;
    private static KernelIngest kernel;
    private static RecordCollector records;
    private static long version;

    @BeforeAll
    static void start() {
        Root.require();
        pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        kernel = KernelIngest.start(new IngestConfig().pinDir(pins).syscallSampleRate(0)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))));
        records = new RecordCollector(kernel);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (records != null) {
                records.close();
            }
            if (kernel != null) {
                kernel.close();
            }
        } finally {
            if (pins != null) {
                PinDir.remove(pins);
            }
        }
    }

    @AfterEach
    void emptyPolicy() {
        kernel.policyApplier().apply(Policies.enforce(++version, ""));
    }

    private static PolicyApplier.Applied apply(String mode, String rules) {
        return kernel.policyApplier().apply(Policies.compile("version: " + ++version + "\nmode: " + mode + "\n" + rules));
    }

    @Test
    void aConnectToADeniedCidrIsRefusedAndRecordedAsAPolicyDenial() throws Exception {
        try (ServerSocket inside = server("127.77.1.5"); ServerSocket outside = server("127.77.2.5")) {
            apply("enforce", "deny:\n  network:\n    - cidr: 127.77.1.0/24\n");
            assertRefused(inside);
            assertConnects(outside);
            List<RecordView> r = records.await(x -> x.kind() == RecordKind.CONNECT
                    && x.number("dport") == inside.getLocalPort() && x.number("decision") == 1, 1);
            assertEquals(1, r.size(), "the denial is recorded");
            assertEquals(1, r.get(0).number("decision_flags") & 1, "flagged as a policy rule's decision");
        }
    }

    @Test
    void ipv4RulesRefuseADualStackSocketThroughTheIpv4Maps() throws Exception {
        try (ServerSocket byAddr = server("127.77.12.5"); ServerSocket byCidr = server("127.77.13.5");
                ServerSocket neither = server("127.77.14.5")) {
            apply("enforce", "deny:\n  network:\n    - addr: 127.77.12.5\n"
                    + "    - cidr: 127.77.13.0/24\n");
            // no ::ffff: copies in the IPv6 maps: only the IPv4 maps can refuse these connects
            assertEquals(0, kernel.policyApplier().activeEntries(PolicyMap.DENY_IPV6)
                    + kernel.policyApplier().activeEntries(PolicyMap.DENY_CIDR6));
            assertEquals(2, kernel.policyApplier().activeEntries(PolicyMap.DENY_IPV4)
                    + kernel.policyApplier().activeEntries(PolicyMap.DENY_CIDR4));
            for (ServerSocket denied : List.of(byAddr, byCidr)) {
                try (SocketChannel six = SocketChannel.open(StandardProtocolFamily.INET6)) {
                    // an AF_INET6 socket reaches an IPv4 peer as ::ffff:a.b.c.d, through connect6
                    IOException e = assertThrows(IOException.class, () -> six.connect(
                            new InetSocketAddress(denied.getInetAddress(), denied.getLocalPort())));
                    assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
                }
                RecordView r = records.await(x -> x.kind() == RecordKind.CONNECT
                        && x.number("dport") == denied.getLocalPort() && x.number("decision") == 1, 1).get(0);
                assertEquals(10, r.number("family"), "recorded as the socket gave it: AF_INET6");
                Field daddr = r.kind().layout().field("daddr");
                assertEquals("00000000000000000000ffff" + HexFormat.of().formatHex(denied.getInetAddress().getAddress()),
                        HexFormat.of().formatHex(r.bytes(daddr.offset(), 16)));
                assertEquals(1, r.number("decision_flags") & 1, "a policy rule's decision");
            }
            try (SocketChannel six = SocketChannel.open(StandardProtocolFamily.INET6)) {
                six.connect(new InetSocketAddress(neither.getInetAddress(), neither.getLocalPort()));
                assertTrue(six.isConnected(), "a mapped address no rule names connects");
            }
            try (ServerSocketChannel six = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                IOException e = assertThrows(IOException.class, () -> six.bind(new InetSocketAddress(ip("127.77.13.9"), 0)));
                assertTrue(e.getMessage().contains("Operation not permitted"), "bind6 too: " + e.getMessage());
            }
        }
    }

    @Test
    void aPortRuleForBindDeniesBindButNotConnect() throws Exception {
        try (ServerSocket server = server("127.77.3.1")) {
            int port = server.getLocalPort();
            apply("enforce", "deny:\n  network:\n    - {port: " + port + ", protocol: tcp, direction: bind}\n");
            assertConnects(server);
            try (ServerSocket other = new ServerSocket()) {
                SocketException e = assertThrows(SocketException.class,
                        () -> other.bind(new InetSocketAddress(ip("127.77.3.2"), port)));
                assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
            }
            apply("enforce", "");
            try (ServerSocket other = new ServerSocket()) {
                other.bind(new InetSocketAddress(ip("127.77.3.2"), port));
                assertTrue(other.isBound(), "the same bind works once the rule is gone");
            }
        }
    }

    @Test
    void aProcessInAnAllowedCgroupOrBelowItIsNotDenied() throws Exception {
        Path cgroup = KernelIngest.cgroup2Mount().resolve("twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        Path child = cgroup.resolve("service");
        Path grandchild = child.resolve("worker");
        Path sibling = KernelIngest.cgroup2Mount().resolve(cgroup.getFileName() + "-sibling");
        Files.createDirectories(grandchild);
        Files.createDirectory(sibling);
        try (ServerSocket server = server("127.77.5.5")) {
            apply("enforce", "deny:\n  network:\n    - cidr: 127.77.5.0/24\nallow:\n  cgroups: [" + cgroup + "]\n");
            String connect = "exec 3<>/dev/tcp/127.77.5.5/" + server.getLocalPort() + " && echo connected";
            for (Path in : List.of(cgroup, child, grandchild)) {
                String moved = bash("echo $$ > " + in.resolve("cgroup.procs") + " && " + connect);
                assertTrue(moved.contains("connected"), "in " + in + ", the allowed cgroup or below it: " + moved);
            }
            String outside = bash("echo $$ > " + sibling.resolve("cgroup.procs") + " && " + connect);
            assertTrue(outside.contains("Operation not permitted"), "in a sibling whose name extends it: " + outside);
            String notMoved = bash(connect);
            assertTrue(notMoved.contains("Operation not permitted"), "outside it: " + notMoved);
        } finally {
            for (Path p : List.of(grandchild, child, cgroup, sibling)) {
                Files.delete(p);  // empty again: their only processes have exited
            }
        }
    }

    private static String bash(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void auditModeRecordsTheMatchAndLetsItThrough() throws Exception {
        try (ServerSocket server = server("127.77.6.5")) {
            apply("audit", "deny:\n  network:\n    - cidr: 127.77.6.0/24\n");
            assertConnects(server);
            List<RecordView> r = records.await(x -> x.kind() == RecordKind.CONNECT
                    && x.number("dport") == server.getLocalPort() && x.number("decision") == 2, 1);
            assertEquals(1, r.size(), "an audit_deny record");
            assertEquals(0, r.get(0).number("ret"));
        }
    }

    @Test
    void aFailureBetweenFillAndSwitchLeavesTheOldPolicyWhole() throws Exception {
        try (ServerSocket old = server("127.77.7.5"); ServerSocket next = server("127.77.8.5")) {
            PolicyApplier.Applied first = apply("enforce", "deny:\n  network:\n    - cidr: 127.77.7.0/24\n");
            CompiledPolicy second = Policies.enforce(++version, "deny:\n  network:\n    - cidr: 127.77.8.0/24\n");
            assertThrows(IllegalStateException.class, () -> kernel.policyApplier().apply(second, () -> {
                throw new IllegalStateException("abort before the switch");
            }));
            assertRefused(old);
            assertConnects(next);
            assertEquals(first.version(), kernel.policyApplier().inForce().version());
            // What a restarted agent sees through the pins: the same policy, and it can apply the next one.
            try (PolicySlots pinned = PolicySlots.pinned(PinDir.prepare(pins))) {
                PolicyApplier restarted = new PolicyApplier(pinned);
                assertEquals(first.version(), restarted.inForce().version());
                restarted.apply(second);
            }
            assertRefused(next);
            assertConnects(old);
        }
    }

    @Test
    void anApplierKilledBetweenFillAndSwitchLeavesTheOldPolicyWhole() throws Exception {
        try (ServerSocket old = server("127.77.9.5"); ServerSocket next = server("127.77.10.5")) {
            PolicyApplier.Applied first = apply("enforce", "deny:\n  network:\n    - cidr: 127.77.9.0/24\n");
            Path yaml = Files.createTempFile("twinlane-policy-", ".yaml");
            Files.writeString(yaml, "version: " + ++version + "\nmode: enforce\ndeny:\n  network:\n    - cidr: 127.77.10.0/24\n");
            Process child = child(yaml);
            try {
                String line = lines(child).readLine();
                assertEquals("filled", line, "the child filled the inactive slot");
                child.destroyForcibly();  // SIGKILL between the fill and the switch
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            } finally {
                child.destroyForcibly();
                Files.delete(yaml);
            }
            assertRefused(old);
            assertConnects(next);
            assertEquals(first.version(), kernel.policyApplier().inForce().version());
        }
    }

    private static Process child(Path yaml, String... mode) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), PolicyApplyChild.class.getName(), pins.toString(),
                yaml.toString()));
        cmd.addAll(List.of(mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static BufferedReader lines(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * kill -9 at random moments of an apply, again and again: a child JVM applies a policy of
     * about 16 000 entries (its first apply, cold, empties the inactive slot by walking it, then
     * fills it and flips; every other kill, the slot is emptied before, as the agent's heartbeat
     * does, and the apply only fills and flips) and is killed after a random delay spread over 1.5
     * times the clearing apply's duration.
     * The policies alternate between two that deny different networks; after each kill the
     * active slot is read back and must hold exactly the old or exactly the new policy (every
     * entry of every map, and its meta), and real connects must see that one policy.
     */
    @Test
    void killsAtRandomMomentsOfAnApplyLeaveExactlyTheOldOrTheNewPolicy() throws Exception {
        int kills = Integer.getInteger("twinlane.test.applyKills", 24);
        long seed = Long.getLong("twinlane.test.applyKillSeed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        Path yaml = Files.createTempFile("twinlane-policy-", ".yaml");
        try (ServerSocket a = server("127.77.11.5"); ServerSocket b = server("127.77.12.5")) {
            String textA = bigPolicy("127.77.11.0/24", 18);
            String textB = bigPolicy("127.77.12.0/24", 19);
            // calibration: applies not killed before they end give the window to spread the kills over; the
            // third is measured, as it empties a slot of the other policy's 16 000 entries, as every later one does
            double window = 0;
            for (String text : List.of(textA, textB, textA)) {
                Files.writeString(yaml, "version: " + ++version + "\nmode: enforce\n" + text);
                window = calibrate(yaml);
            }
            CompiledPolicy old = Policies.compile(Files.readString(yaml));
            int before = 0;
            int after = 0;
            for (int i = 0; i < kills; i++) {
                boolean toB = denies(old, "127.77.11.0");   // always the other one than in force
                Files.writeString(yaml, "version: " + ++version + "\nmode: enforce\n" + (toB ? textB : textA));
                CompiledPolicy next = Policies.compile(Files.readString(yaml));
                long delayNanos = (long) (random.nextDouble() * 1.5 * window * 1e6);
                Process child = child(yaml, i % 2 == 0 ? "race" : "race-prepared");
                try {
                    BufferedReader out = lines(child);
                    assertEquals("ready", out.readLine(), "the child opened the pins");
                    java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
                    child.destroyForcibly();   // SIGKILL
                    assertTrue(child.waitFor(10, TimeUnit.SECONDS));
                } finally {
                    child.destroyForcibly();
                }
                CompiledPolicy inForce;
                try (PolicySlots pinned = PolicySlots.pinned(PinDir.prepare(pins))) {
                    PolicyApplier reader = new PolicyApplier(pinned);
                    long v = reader.inForce().version();
                    assertTrue(v == old.version() || v == next.version(), "kill " + i + ": version " + v
                            + " in force, neither the old " + old.version() + " nor the new " + next.version());
                    inForce = v == next.version() ? next : old;
                    PolicyDrift drift = reader.drift(inForce);
                    assertTrue(drift.clean(), "kill " + i + " after " + delayNanos / 1000 + " us: version " + v
                            + " in force but not whole: " + drift.describe());
                }
                ServerSocket denied = denies(inForce, "127.77.11.0") ? a : b;
                assertRefused(denied);
                assertConnects(denied == a ? b : a);
                if (inForce == next) {
                    after++;
                } else {
                    before++;
                }
                old = inForce;
            }
            System.out.printf("policy apply killed %d times at random moments (seed %d, apply window %.1f ms, %d entries):"
                    + " %d before the flip (old policy whole), %d after it (new policy whole), never a mix%n", kills, seed,
                    window, old.entries().values().stream().mapToInt(List::size).sum(), before, after);
        } finally {
            Files.delete(yaml);
        }
    }

    @Test
    void prepareIfDueEmptiesTheOldSlotOnlyAfterTheGraceAndTheNextApplyOnlyFillsAndFlips() throws Exception {
        PolicyApplier applier = kernel.policyApplier();
        apply("enforce", "deny:\n  network:\n    - cidr: 127.77.13.0/24\n");
        apply("enforce", "deny:\n  network:\n    - cidr: 127.77.14.0/24\n");   // the first one's slot is the inactive one
        long flipped = System.nanoTime();
        boolean due = applier.prepareIfDue();
        if (System.nanoTime() - flipped < PolicyApplier.GRACE_NANOS / 2) {   // not descheduled past the grace meanwhile
            assertFalse(due, "a decision may still read the old slot");
            assertFalse(applier.nextSlotEmpty());
        }
        Thread.sleep(PolicyApplier.GRACE_NANOS / 1_000_000);
        assertTrue(applier.prepareIfDue());
        assertTrue(applier.nextSlotEmpty());
        CompiledPolicy third = Policies.enforce(++version, "deny:\n  network:\n    - cidr: 127.77.15.0/24\n");
        PolicyApplier.Applied a = applier.apply(third);
        assertEquals(0, a.cleared(), "nothing left to clear");
        assertTrue(applier.drift(third).clean(), "the new policy whole");
    }

    @Test
    void aPolicyFilledByTwoThreadsIsWholeAndTheSameAsByOne() {
        PolicyApplier applier = kernel.policyApplier();
        try {
            for (int threads : new int[] {2, 1, 2}) {
                applier.fillThreads(threads);
                CompiledPolicy p = Policies.compile("version: " + ++version + "\nmode: enforce\n"
                        + bigPolicy("127.77.13.0/24", 20));
                assertTrue(p.entries(PolicyMap.DENY_IPV4).size() > PolicyApplier.TWO_THREADS_FROM,
                        "large enough that two threads fill it, deny_ipv4 cut between them");
                PolicyApplier.Applied a = applier.apply(p);
                assertEquals(p.version(), applier.inForce().version());
                PolicyDrift drift = applier.drift();
                assertTrue(drift.clean(), threads + " filling thread(s): " + drift.describe());
                assertEquals(8000, applier.activeEntries(PolicyMap.DENY_IPV4), threads + " filling thread(s)");
                System.out.printf("policy apply, %d entries, %d filling thread(s): %.2f ms%n", a.entries(), threads,
                        a.millis());
            }
        } finally {
            applier.fillThreads(2);
        }
    }

    /** Denies {@code cidr} plus n thousand addresses of 198.{second}.0.0/16 (n thousand entries, no IPv4-mapped copies). */
    private static String bigPolicy(String cidr, int second) {
        StringBuilder s = new StringBuilder("deny:\n  network:\n    - cidr: ").append(cidr).append('\n');
        for (int i = 0; i < 8000; i++) {
            s.append("    - addr: 198.").append(second).append('.').append(i / 250).append('.').append(1 + i % 250).append('\n');
        }
        return s.toString();
    }

    private static boolean denies(CompiledPolicy p, String network24) {
        byte[] want = ip(network24).getAddress();
        return p.entries(PolicyMap.DENY_CIDR4).stream().anyMatch(e -> e.key()[0] == 24
                && java.util.Arrays.equals(java.util.Arrays.copyOfRange(e.key(), 4, 8), want));
    }

    /** One child apply run to its end (then killed while it waits): the wall time from "ready" to "applied", in ms. */
    private static double calibrate(Path yaml) throws Exception {
        Process child = child(yaml, "race");
        try {
            BufferedReader out = lines(child);
            assertEquals("ready", out.readLine());
            long ready = System.nanoTime();
            String applied = out.readLine();
            double wall = (System.nanoTime() - ready) / 1e6;
            assertTrue(applied != null && applied.startsWith("applied "), "the calibration apply: " + applied);
            return Math.max(wall, Double.parseDouble(applied.substring(8)));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThousandRulePolicyIsAppliedInMilliseconds() {
        StringBuilder rules = new StringBuilder("deny:\n  network:\n");
        for (int i = 0; i < 400; i++) {
            rules.append("    - addr: 10.").append(i / 250).append('.').append(i % 250).append(".1\n");
            rules.append("    - cidr: 10.").append(100 + i / 250).append('.').append(i % 250).append(".0/24\n");
        }
        for (int i = 0; i < 200; i++) {
            rules.append("    - {port: ").append(20000 + i).append(", protocol: tcp, direction: connect}\n");
        }
        List<Double> full = new ArrayList<>();
        List<Double> prepared = new ArrayList<>();
        PolicyApplier.Applied last = null;
        for (int run = 0; run < 10; run++) {
            CompiledPolicy p = Policies.enforce(++version, rules.toString());  // compile excluded from the timing
            if (run % 2 == 1) {
                kernel.policyApplier().prepare();
            }
            last = kernel.policyApplier().apply(p);
            (run % 2 == 1 ? prepared : full).add(last.millis());
        }
        System.out.printf("policy apply, 1000 rules (%d map entries): inactive slot prepared ahead %s ms (best %.2f);"
                + " clearing %d entries from it first %s ms (best %.2f)%n", last.entries(), rounded(prepared),
                prepared.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), last.entries(), rounded(full),
                full.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        assertEquals(800, kernel.policyApplier().activeEntries(PolicyMap.DENY_CIDR4) + kernel.policyApplier().activeEntries(PolicyMap.DENY_IPV4));
        assertEquals(200, kernel.policyApplier().activeEntries(PolicyMap.DENY_PORT_RULE));
        double median = prepared.stream().sorted().toList().get(prepared.size() / 2);
        assertTrue(median < 50, "applying 1000 rules took " + median + " ms (median)");
    }

    private static List<String> rounded(List<Double> ms) {
        return ms.stream().map(m -> String.format("%.2f", m)).toList();
    }
}
