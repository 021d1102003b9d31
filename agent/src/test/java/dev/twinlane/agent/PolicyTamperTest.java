package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.PinDir;
import dev.twinlane.ingest.PolicyEvent;
import dev.twinlane.ingest.PolicyNet;
import dev.twinlane.policy.BundleSigner;
import dev.twinlane.policy.SigningKey;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.KeyRing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The tamper check on the host kernel (root; no BPF LSM here, so nothing stops a second root
 * process from writing the pinned maps): bpftool, another process, deletes the deny entries of
 * a signed policy from the slot in force and disarms the deadman; the agent finds it within one
 * check period, records a chained tamper event and puts the policy back.
 */
class PolicyTamperTest {
    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final String DENY = "deny:\n  network:\n    - cidr: 127.77.31.0/24\n";

    @TempDir
    Path tmp;
    private Path pins;
    private Path data;
    private ServerSocket server;

    @BeforeEach
    void setUp() throws IOException {
        PipelineTest.requireRoot();
        pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        data = tmp.resolve("data");
        server = PolicyNet.server("127.77.31.5");
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            PinDir.remove(pins);
        } finally {
            server.close();
        }
    }

    @Test
    void aDeniedEntryDeletedByAnotherProcessIsFoundRecordedAndRestoredWithinOnePeriod() throws Exception {
        Path trusted = Files.createDirectories(tmp.resolve("trusted"));
        SigningKey key = SigningKey.generate(tmp.resolve("signer.key"), trusted.resolve("signer.pub"));
        Path bundle = Files.writeString(tmp.resolve("v1.bundle"),
                BundleSigner.sign("version: 1\nmode: enforce\n" + DENY, "v1", key).render());
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.syscallSampleRate(0);
        c.securityRealtimePriority = 0;
        c.policy = new PolicySettings();
        c.policy.pinDir = pins;
        c.policy.trustedKeys = trusted;
        c.policy.requireSignature = true;
        c.policy.controlSocket = tmp.resolve("control.sock");
        c.policy.deadmanTtl = Duration.ofSeconds(30);
        c.policy.tamperCheck = PERIOD;
        int slot;
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            AgentControl.Reply applied = new AgentControl(tmp.resolve("control.sock")).apply(bundle, true);
            assertTrue(applied.ok(), applied.message());
            PolicyNet.assertRefused(server);

            p.heartbeat().pause(true);   // no check while the maps are tampered with: the tampering must be seen to work
            slot = p.kernel().policyApplier().inForce().slot();
            // the IPv4 network: its one entry (the JVM connects through AF_INET6, and connect6 reads
            // the IPv4 maps for ::ffff:127.77.31.x)
            bpftool("map", "delete", "pinned", pin("pdeny_cidr4_s" + slot), "key", "hex", "18", "00", "00", "00",
                    "7f", "4d", "1f", "00");
            // a port rule the policy does not have (4242/tcp connect), and the deadman disarmed
            bpftool("map", "update", "pinned", pin("pdeny_port_rule_s" + slot), "key", "hex", "92", "10", "06", "01",
                    "value", "hex", "01");
            List<String> zeros = new ArrayList<>(List.of("map", "update", "pinned", pin("policy_deadman"),
                    "key", "hex", "00", "00", "00", "00", "value", "hex"));
            for (int i = 0; i < 16; i++) {
                zeros.add("00");
            }
            bpftool(zeros.toArray(String[]::new));
            PolicyNet.assertConnects(server);   // the deny is gone while nobody checks
            assertEquals(0, p.kernel().deadman().deadlineNanos());

            long resumed = System.nanoTime();
            p.heartbeat().pause(false);
            long restoredAfter = awaitRefused(PERIOD.toMillis() + 2000) - resumed;
            System.out.printf("tamper check: the deny was in force again %.0f ms after the check resumed (period %d ms)%n",
                    restoredAfter / 1e6, PERIOD.toMillis());
            assertTrue(restoredAfter < PERIOD.toNanos() + 1_500_000_000L, "restored within one period (+ slack)");
            assertTrue(p.kernel().policyApplier().drift().clean(), p.kernel().policyApplier().drift().describe());
            assertNotEquals(0, p.kernel().deadman().deadlineNanos(), "the deadline is written again");
            String status = String.join("\n", p.health());
            assertTrue(status.contains("1 tampering(s) found"), status);
            assertTrue(!status.contains("problem:"), status);
        }
        List<String> tampers = new ArrayList<>();
        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        for (LogContents.Entry e : LogContents.security(data, keys)) {   // the chain is checked while it is read
            RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (e.kind() <= dev.twinlane.wal.proof.Kinds.MAX_APP_KIND && r.kind() == RecordKind.POLICY
                    && r.number("event") == PolicyEvent.Kind.TAMPER.code()) {
                tampers.add(r.text("detail"));
                assertEquals(1, r.number("version"));
            }
        }
        assertEquals(1, tampers.size(), "one tamper event: " + tampers);
        String detail = tampers.get(0);
        assertTrue(detail.startsWith("tampered: pdeny_cidr4_s" + slot + " +0 -1 ~0, "
                + "pdeny_port_rule_s" + slot + " +1 -0 ~0, policy_deadman deadline 0 (off)"), detail);
        Console verify = Console.run("verify", "--wal", data.resolve("security").toString(), "--key",
                data.resolve("keys/security.key").toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().startsWith("OK"), verify.out());
    }

    private String pin(String map) {
        return pins.resolve(map).toString();
    }

    private long awaitRefused(long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 2000);
            } catch (SocketException e) {
                if (e.getMessage().contains("Operation not permitted")) {
                    return System.nanoTime();
                }
                throw e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the deny was not restored within " + millis + " ms");
    }

    /** bpftool, a second root process writing the agent's pinned maps. */
    private static void bpftool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bpftool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }
}
