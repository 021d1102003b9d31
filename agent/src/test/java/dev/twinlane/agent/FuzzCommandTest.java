package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.detector.ThreatClass;

/** `twinlane fuzz` on the host kernel: every payload sent is found whole in the security log. Needs root. */
class FuzzCommandTest {
    @TempDir
    Path tmp;

    @Test
    void everyPayloadSentIsRecordedWholeAndTheReportSaysSo() throws Exception {
        PipelineTest.requireRoot();
        Path json = tmp.resolve("report.json");
        Console c = Console.run("fuzz", "--count", "10", "--benign", "50", "--seed", "5", "--out", json.toString());
        System.out.println(c.out() + c.err());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("kernel", r.get("mode").asText());
        assertEquals(5, r.get("seed").asLong());
        for (ThreatClass pc : ThreatClass.values()) {
            JsonNode row = r.get("classes").get(pc.label());
            assertEquals(10, row.get("sent").asInt(), pc.label());
            assertEquals(10, row.get("recorded").asInt(), pc.label() + ": every payload whole in the security log " + row);
            assertTrue(c.out().lines().anyMatch(l -> l.matches(pc.label() + " +10 +10 +\\d+ +\\d+ +[0-9.]+%")), c.out());
        }
        JsonNode benign = r.get("benign");
        assertEquals(50, benign.get("sent").asInt());
        assertEquals(50, benign.get("recorded").asInt(), benign.toString());
        assertTrue(c.out().contains("benign"), c.out());

        // detected comes from the detection records the pipeline wrote after each subject: the same
        // payloads through the detector in process (--offline) give the same counts, and some are found
        Path offline = tmp.resolve("offline.json");
        Console.run("fuzz", "--offline", "--count", "10", "--benign", "50", "--seed", "5", "--out", offline.toString());
        JsonNode o = new ObjectMapper().readTree(offline.toFile());
        int found = 0;
        for (ThreatClass pc : ThreatClass.values()) {
            JsonNode kernel = r.get("classes").get(pc.label());
            JsonNode alone = o.get("classes").get(pc.label());
            assertEquals(alone.get("detected").asInt(), kernel.get("detected").asInt(), pc.label() + " " + kernel + " " + alone);
            assertEquals(alone.get("detected_as_class").asInt(), kernel.get("detected_as_class").asInt(), pc.label());
            found += kernel.get("detected").asInt();
        }
        assertEquals(o.get("benign").get("detected").asInt(), benign.get("detected").asInt(), benign.toString());
        assertTrue(found > 0, "detection records were found in the log");
    }

    @Test
    void offlineTheSamePayloadsGoThroughTheDetectorInProcess() throws Exception {
        Path json = tmp.resolve("offline.json");
        Console c = Console.run("fuzz", "--offline", "--class", "sql_injection", "--count", "40", "--benign", "200", "--out", json.toString());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("offline", r.get("mode").asText());
        assertEquals(1, r.get("classes").size(), "--class chooses one class");
        JsonNode sql = r.get("classes").get("sql_injection");
        assertEquals(40, sql.get("sent").asInt());
        assertEquals(sql.get("detected_as_class").asInt() / 40.0, sql.get("recall").asDouble(), 1e-9);
        assertTrue(sql.get("detected").asInt() > 0, "the detector finds some: " + c.out());
        assertEquals(200, r.get("benign").get("sent").asInt());
        assertEquals(r.get("targets").get("met").asBoolean() ? 0 : 1, c.code(), c.out() + c.err());
    }

    @Test
    void aBadOptionIsOneLineAndExitCodeTwo() {
        Console c = Console.run("fuzz", "--class", "xss");
        assertEquals(2, c.code());
        assertEquals(1, c.err().lines().count(), c.err());
        assertTrue(c.err().contains("command_injection"), c.err());
        Console n = Console.run("fuzz", "--count", "0");
        assertEquals(2, n.code(), n.err());
        assertEquals(1, n.err().lines().count(), n.err());
    }
}
