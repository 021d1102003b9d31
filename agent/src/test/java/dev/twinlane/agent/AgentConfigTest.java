package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.UsageException;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.observability.Imputation;
import dev.twinlane.records.Ring;

class AgentConfigTest {
    @TempDir
    Path tmp;

    private Path write(String yaml) throws Exception {
        return Files.writeString(tmp.resolve("twinlane.yaml"), yaml);
    }

    @Test
    void aFullFileIsRead() throws Exception {
        AgentConfig c = AgentConfig.load(write("""
                data_dir: /tmp/tl
                mode: audit
                kernel:
                  security_ring_bytes: 1048576
                  syscall_sample_rate: 10
                  cgroup_filter: 4242
                  watch: [/etc/passwd]
                security:
                  wait_strategy: yielding
                  realtime_priority: 0
                  nice: -20
                  background_nice: 5
                  fsync_ms: 0
                observability:
                  window_ms: 500
                  imputation: ewma
                routing:
                  promote:
                    - name: setuid-by-nobody
                      kind: syscall
                      failed: true
                      syscalls: [105]
                      uids: [65534]
                """));
        assertEquals(Path.of("/tmp/tl"), c.dataDir);
        assertEquals(IngestConfig.Mode.AUDIT, c.ingest.mode());
        assertEquals(1 << 20, c.ingest.ringBytes(Ring.SECURITY));
        assertEquals(0, c.securityFsyncMs);
        assertEquals("yielding", c.securityWait);
        assertEquals(-20, c.securityNice);
        assertEquals(5, c.securityBackgroundNice);
        assertEquals(19, new AgentConfig().securityBackgroundNice, "the default");
        assertEquals(500, c.windowMs);
        assertEquals(Imputation.EWMA, c.imputation);
        assertEquals(1, c.promotions.size());
        assertEquals("setuid-by-nobody", c.promotions.get(0).name());
    }

    @Test
    void everyBadValueIsNamedOnce() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write("""
                mode: strict
                kernel:
                  security_ring_bytes: 3000000
                security:
                  fsync_ms: soon
                  fsync: 100
                observability:
                  imputation: magic
                routing:
                  promote:
                    - kind: exec
                    - kind: teleport
                """)));
        String m = e.getMessage();
        assertTrue(m.contains("mode: must be one of"), m);
        assertTrue(m.contains("kernel.security_ring_bytes: must be a power of two, not 3000000"), m);
        assertTrue(m.contains("security.fsync_ms: must be a whole number from 0 to 60000, not 'soon'"), m);
        assertTrue(m.contains("security.fsync: unknown key"), m);
        assertTrue(m.contains("observability.imputation: must be one of"), m);
        assertTrue(m.contains("only observability kinds can be promoted, not exec"), m);
        assertTrue(m.contains("routing.promote[1]: kind: unknown record kind 'teleport'"), m);
        assertEquals(1, m.split("\n").length, "one line");
    }

    @Test
    void aSpinningSecurityLaneAtRealTimePriorityIsRefused() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write("""
                security:
                  wait_strategy: busy-spin
                """)));
        assertTrue(e.getMessage().contains("security.realtime_priority: must be 0 with wait_strategy busy-spin"),
                e.getMessage());
        AgentConfig c = AgentConfig.load(write("""
                security:
                  wait_strategy: busy-spin
                  realtime_priority: 0
                """));
        assertEquals(0, c.securityRealtimePriority);
        assertEquals(1, AgentConfig.defaults().securityRealtimePriority);
        assertEquals("blocking", AgentConfig.defaults().securityWait);
    }

    @Test
    void notYamlIsOneClearLine() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write("kernel: [unclosed")));
        assertTrue(e.getMessage().contains("is not valid YAML"), e.getMessage());
        assertThrows(UsageException.class, () -> AgentConfig.load(tmp.resolve("missing.yaml")));
    }

    @Test
    void aDuplicateKeyIsAnErrorNamingTheKeyAndLine() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write("""
                mode: audit
                security:
                  fsync_ms: 0
                  wait_strategy: sleeping
                  fsync_ms: 100
                """)));
        assertEquals("config " + tmp.resolve("twinlane.yaml") + ": line 5, column 3: duplicate key 'fsync_ms'",
                e.getMessage());
        e = assertThrows(UsageException.class, () -> AgentConfig.load(write("mode: audit\nmode: enforce\n")));
        assertTrue(e.getMessage().endsWith(": line 2, column 1: duplicate key 'mode'"), e.getMessage());
    }

    @Test
    void aYamlSyntaxErrorKeepsItsLineAndColumn() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write("""
                mode: audit
                kernel:
                  watch: [/etc/shadow
                security:
                  fsync_ms: 0
                """)));
        String m = e.getMessage();
        assertTrue(m.startsWith("config " + tmp.resolve("twinlane.yaml") + " is not valid YAML: line 4, column "), m);
        assertEquals(1, m.split("\n").length, "one line");
        e = assertThrows(UsageException.class, () -> AgentConfig.load(write("mode: audit\n\tsecurity: {}\n")));
        assertTrue(e.getMessage().contains("is not valid YAML: line 2, column 1: "), e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsOneClearLine() throws Exception {
        Path f = tmp.resolve("latin1.yaml");
        byte[] head = "mode: audit\n# caf".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 2);
        bytes[head.length] = (byte) 0xe9; // é in ISO-8859-1
        bytes[head.length + 1] = '\n';
        Files.write(f, bytes);
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(f));
        assertEquals("config " + f + " is not UTF-8 text: invalid byte 0xe9 at line 2, byte offset 17", e.getMessage());
    }

    @Test
    void aWatchPrefixTheKernelCannotHoldIsRefused() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(write(
                "kernel:\n  watch: [/etc/shadow, '', /" + "x".repeat(128) + "]\n")));
        assertTrue(e.getMessage().contains("kernel.watch[1]: must be a path prefix of 1 to 128 bytes, not ''"),
                e.getMessage());
        assertTrue(e.getMessage().contains("kernel.watch[2]: must be a path prefix of 1 to 128 bytes, not '/xxx"),
                e.getMessage());
    }

    @Test
    void defaultsNeedNoFile() {
        AgentConfig c = AgentConfig.defaults();
        assertEquals(200, c.windowMs);
        assertEquals(100, c.securityFsyncMs);
        assertEquals(1000, c.observabilityFsyncMs);
        assertEquals("failed-privileged-syscall", c.promotions.get(0).name());
    }

    @Test
    void theOpenTracepointIsAttachedOnlyForWatchesTheOperatorNamed() throws Exception {
        assertEquals(false, AgentConfig.defaults().wantsOpenTracepoint(), "built-in watch list");
        assertEquals(true, AgentConfig.load(write("kernel:\n  watch: [/etc/passwd]\n")).wantsOpenTracepoint());
        assertEquals(false, AgentConfig.load(write("kernel:\n  open_tracepoint: off\n  watch: [/etc/passwd]\n"))
                .wantsOpenTracepoint());
        assertEquals(true, AgentConfig.load(write("kernel:\n  open_tracepoint: true\n")).wantsOpenTracepoint());
        AgentConfig cli = RunCommand.parse("--watch", "/srv/secret/").config();
        assertEquals(true, cli.wantsOpenTracepoint(), "run --watch");
        UsageException e = assertThrows(UsageException.class,
                () -> AgentConfig.load(write("kernel:\n  open_tracepoint: sometimes\n")));
        assertTrue(e.getMessage().contains("kernel.open_tracepoint"), e.getMessage());
    }

    @Test
    void syscallSamplingIsOffByDefault() throws Exception {
        assertEquals(0, RunCommand.parse().config().ingest.syscallSampleRate());
        assertEquals(0, AgentConfig.load(write("kernel: {}\n")).ingest.syscallSampleRate());
    }

    @Test
    void theSecurityLaneRunsInlineUnlessItIsGivenAThread() throws Exception {
        assertEquals(false, AgentConfig.defaults().securityLaneThread);
        assertEquals(true, AgentConfig.load(write("security:\n  lane_thread: true\n")).securityLaneThread);
        UsageException e = assertThrows(UsageException.class,
                () -> AgentConfig.load(write("security:\n  lane_thread: sometimes\n")));
        assertTrue(e.getMessage().contains("security.lane_thread"), e.getMessage());
    }

    @Test
    void theDetectorIsOnWithTheBuiltinRulesUnlessTurnedOffAndAFileAddsRules() throws Exception {
        assertTrue(AgentConfig.defaults().detection != null, "on by default");
        assertEquals(null, AgentConfig.load(write("detector: {enabled: false}\n")).detection);
        Path rules = Files.writeString(tmp.resolve("rules.txt"), "9001 command_injection our-rule ours \\bours\\b\n");
        AgentConfig c = AgentConfig.load(write("detector:\n  rules: " + rules + "\n"));
        assertEquals(dev.twinlane.detector.DetectionRules.builtin().size() + 1, c.detection.size());
        Files.writeString(rules, "9001 command_injection our-rule ours (\n");
        UsageException e = assertThrows(UsageException.class, () -> AgentConfig.load(tmp.resolve("twinlane.yaml")));
        assertTrue(e.getMessage().startsWith("detector rules " + rules + ":1: bad pattern: Unclosed group"), e.getMessage());
    }
}
