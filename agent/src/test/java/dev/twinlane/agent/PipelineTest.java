package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.observability.Imputation;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The whole pipeline on the host kernel: real processes in, verified logs out. Needs root. */
class PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static void requireRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: the pipeline loads BPF programs, which needs root");
    }

    private AgentConfig config(Path data) {
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.syscallSampleRate(1);
        c.imputation = Imputation.LAST;
        c.watch = List.of(tmp.resolve("watched").toString() + "/");
        return c;
    }

    static long spawn(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        return p.pid();
    }

    private static RecordView view(LogContents.Entry e) {
        return new RecordView().wrap(e.payload(), 0, e.payload().length);
    }

    private static List<JsonNode> batches(List<LogContents.Entry> obs) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (LogContents.Entry e : obs) {
            if (e.kind() == Pipeline.OBSERVABILITY_BATCH) {
                out.add(JSON.readTree(new String(e.payload(), StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    /** Policy (field 41 of /proc/self/task/T/stat) of the pipeline's threads, by name (15 characters). */
    private static Map<String, String> schedulingPolicies() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat = Files.readString(t.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (name.startsWith("router-") || name.startsWith("security-lane") || name.startsWith("wal-syncer-sec")
                        || name.startsWith("observability-l")) {
                    out.put(name, f[38]);
                }
            }
        }
        return out;
    }

    @Test
    void realProcessesBecomeVerifiedSecurityRecordsAndCorrectObservabilityBatches() throws Exception {
        requireRoot();
        Path data = tmp.resolve("data");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path secret = Files.writeString(watched.resolve("secret"), "s3cret\n");
        AgentConfig c = config(data);
        Set<Long> pids = new HashSet<>();
        int port;
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN);
                ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            for (int i = 0; i < 5; i++) {
                pids.add(spawn("/bin/sh", "-c", "cat " + secret + " > /dev/null; exit 3"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            }
            Thread.sleep(1000);  // a few observability windows close
            // No security-lane thread: by default the router's security thread appends (SecurityLane.inline).
            assertEquals(Map.of("router-security", "1", "wal-syncer-secu", "1",
                    "router-observab", "0", "observability-l", "0", "router-drops", "0"), schedulingPolicies(), "SCHED_FIFO is 1");
        }

        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        ChainVerifier.Report report = new ChainVerifier(keys, SealKey.loadPublic(data.resolve("keys/seal.pub")))
                .verify(data.resolve("security"), data.resolve("security/seal.latest"));
        assertTrue(report.ok(), report.line());

        List<LogContents.Entry> sec = LogContents.security(data, keys);
        Set<Long> execs = new HashSet<>();
        int opens = 0;
        boolean connect = false;
        for (LogContents.Entry e : sec) {
            if (e.kind() > Kinds.MAX_APP_KIND) {
                continue;
            }
            RecordView r = view(e);
            assertEquals(RecordView.OK, r.check(), "every kernel record in the log is whole");
            if (r.kind() == RecordKind.EXEC && pids.contains(r.number("tgid")) && r.text("filename").equals("/bin/sh")) {
                execs.add(r.number("tgid"));
            } else if (r.kind() == RecordKind.FILE_OPEN && r.text("path").equals(secret.toString())
                    && r.text("comm").equals("cat")) {
                opens++;
            } else if (r.kind() == RecordKind.CONNECT && r.number("dport") == port) {
                connect = true;
            }
        }
        assertEquals(pids, execs, "an exec record of each child in the security log");
        assertEquals(5, opens, "each cat's open of the watched file");
        assertTrue(connect, "the loopback connect");

        long forks = 0;
        long exits = 0;
        long syscalls = 0;
        String jvm = String.valueOf(ProcessHandle.current().pid());
        for (JsonNode b : batches(LogContents.observability(data, keys))) {
            for (JsonNode f : b.get("forks")) {
                String child = f.get("child_exec_id").asText();
                if (pids.contains(Long.parseLong(child.substring(0, child.indexOf(':'))))) {
                    assertTrue(f.get("parent_exec_id").asText().startsWith(jvm + ":"));
                    forks++;
                }
            }
            for (JsonNode x : b.get("exits")) {
                String id = x.get("exec_id").asText();
                if (pids.contains(Long.parseLong(id.substring(0, id.indexOf(':'))))) {
                    assertEquals(3, x.get("exit_code").asInt());
                    exits++;
                }
            }
            for (JsonNode s : b.get("syscalls")) {
                if (pids.contains(s.get("tgid").asLong()) && !s.has("synthetic")) {
                    syscalls += s.get("count").asLong();
                }
            }
        }
        assertEquals(5, forks, "the JVM forked each child once");
        assertEquals(5, exits, "each child exited with 3");
        assertTrue(syscalls > 5 * 10, "every syscall sampled (rate 1): " + syscalls);
    }

    @Test
    void anIdleSecurityLogIsSealedByItsLaneWhileTheAgentRuns() throws Exception {
        // The lane is the log's only writer: with no record to append, the router's ticks make it
        // write the timed seal (1 s), and the syncer then names it in seal.latest.
        requireRoot();
        Path data = tmp.resolve("data");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path secret = Files.writeString(watched.resolve("secret"), "s3cret\n");
        try (Pipeline p = Pipeline.start(config(data), new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            spawn("/bin/cat", secret.toString());
            Thread.sleep(300);
            long appended = p.securityLog().appendedSeq();
            Path sealFile = data.resolve("security/seal.latest");
            long deadline = System.nanoTime() + 4_000_000_000L;
            long sealed = -1;
            while (System.nanoTime() < deadline && sealed < appended) {
                Thread.sleep(50);
                sealed = Files.exists(sealFile) ? sealedSeq(sealFile) : -1;
            }
            assertTrue(sealed >= appended, "a durable seal of seq " + appended + " within 4 s while running; the latest seals " + sealed);
        }
    }

    /** The seq the seal file's seal signs (its "seq=" line; wal/README.md, SEAL). */
    private static long sealedSeq(Path sealFile) throws IOException {
        return Files.readAllLines(sealFile).stream().filter(l -> l.startsWith("seq=")).findFirst()
                .map(l -> Long.parseLong(l.substring(4).trim())).orElse(-1L);
    }

    @Test
    void runsDenyRulesAreLoadedByThePipeline() throws Exception {
        requireRoot();
        Path data = tmp.resolve("data");
        AgentConfig c = config(data);
        c.ingest.mode(dev.twinlane.ingest.IngestConfig.Mode.AUDIT); // flagged, not refused: other users of this host
        int port;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            c.rules = new PolicyRules(List.of(port), List.of(), List.of(), List.of(), List.of());
            try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN);
                    Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                Thread.sleep(200);
            }
        }
        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        long flagged = LogContents.security(data, keys).stream().filter(e -> e.kind() <= Kinds.MAX_APP_KIND)
                .map(PipelineTest::view)
                .filter(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == port && r.number("decision") == 2)
                .count();
        assertEquals(1, flagged, "the connect matched the --deny-port rule (audit_deny)");
    }

    @Test
    void theDirectoriesItCreatesAreItsOwnAlone() throws Exception {
        requireRoot();
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("security")); // 755 by the umask, owned by root: accepted
        AgentConfig c = config(data);
        c.ingest.mode(dev.twinlane.ingest.IngestConfig.Mode.AUDIT);
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            assertEquals("rwxr-xr-x", mode(data));
            assertEquals("rwxr-xr-x", mode(data.resolve("security")));
            assertEquals("rwx------", mode(data.resolve("observability")), "created by the agent");
            assertEquals("rwx------", mode(data.resolve("keys")), "created by the agent");
        }
        Path fresh = tmp.resolve("var/lib/twinlane");
        c.dataDir = fresh;
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
            for (Path d : List.of(tmp.resolve("var"), tmp.resolve("var/lib"), fresh, fresh.resolve("security"),
                    fresh.resolve("observability"), fresh.resolve("keys"))) {
                assertEquals("rwx------", mode(d), d.toString());
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void noSyntheticValueEverReachesTheSecurityLog() throws Exception {
        requireRoot();
        Path data = tmp.resolve("data");
        AgentConfig c = config(data);
        c.windowMs = 50;
        // A stalled observability sink makes the lane miss windows: imputation must happen, in its own log only.
        Pipeline.Hooks stall = new Pipeline.Hooks(r -> { }, s -> s, b -> (json, n, start) -> {
            if (start % 1000 < 50) {
                Thread.sleep(300);
            }
            b.write(json, n, start);
        });
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), stall)) {
            for (int i = 0; i < 20; i++) {
                spawn("/bin/sh", "-c", "for i in 1 2 3; do /bin/true; done");
                Thread.sleep(100);
            }
        }
        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        long synthetic = 0;
        for (JsonNode b : batches(LogContents.observability(data, keys))) {
            for (JsonNode s : b.get("syscalls")) {
                synthetic += s.has("synthetic") ? 1 : 0;
            }
        }
        assertTrue(synthetic > 0, "the stalls made the observability lane impute");
        int kernelRecords = 0;
        for (LogContents.Entry e : LogContents.security(data, keys)) {
            String text = new String(e.payload(), StandardCharsets.ISO_8859_1);
            assertTrue(!text.contains("synthetic"), "seq " + e.seq() + " carries synthetic data");
            if (e.kind() <= Kinds.MAX_APP_KIND) {
                RecordView r = view(e);
                assertEquals(RecordView.OK, r.check());
                assertTrue(r.kind().ring() != null, "a kernel record, not an aggregate: kind " + e.kind());
                kernelRecords++;
            } else {
                assertTrue(Set.of(Kinds.GENESIS, Kinds.GAP, Kinds.SEAL, Kinds.ROTATE, Kinds.RECOVERY).contains(e.kind()));
            }
        }
        assertTrue(kernelRecords >= 20, "the execs are there: " + kernelRecords);
    }
}
