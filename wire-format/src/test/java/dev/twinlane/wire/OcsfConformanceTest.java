package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.twinlane.records.RecordKind;
import dev.twinlane.wire.ocsf.OcsfValidator;

/** The mapping's output passes the vendored OCSF 1.8.0 schema; events broken by hand do not. */
class OcsfConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OcsfValidator VALIDATOR = OcsfValidator.vendored();
    private static final List<String> FAILURES = List.of("modified", "inserted", "wrong-key", "missing", "truncated",
            "unreadable", "kernel-drop", "lane-drop", "recovery", "new-log");

    @Test
    void everyRecordKindMapsToAValidEvent() throws Exception {
        Set<String> kinds = new TreeSet<>();
        Set<Integer> classes = new TreeSet<>();
        int n = 0;
        for (RecordCorpus.Input in : RecordCorpus.all().values()) {
            JsonNode e = JSON.readTree(RecordCorpus.event(in));
            assertEquals(List.of(), VALIDATOR.problems(e), in.name() + ": " + e);
            kinds.add(e.path("unmapped").path("kind").asText());
            classes.add(e.path("class_uid").asInt());
            n++;
        }
        Set<String> mapped = new TreeSet<>();
        for (RecordKind k : RecordKind.values()) {
            if (k != RecordKind.LOADGEN) {
                mapped.add(k.label());
            }
        }
        assertEquals(mapped, kinds, "the corpus holds every kind the mapping knows");
        assertEquals(Set.of(1001, 1007, 2004, 4001, 5019), classes);
        System.out.println("OCSF 1.8.0: " + n + " events of " + kinds.size() + " record kinds valid");
    }

    @Test
    void everyDetectionFindingIsValid() throws Exception {
        DetectionFinding f = new DetectionFinding();
        for (String failure : FAILURES) {
            JsonNode e = JSON.readTree(f.encode(1_795_604_558_493L, "twinlane.security", RecordCorpus.HOST,
                    RecordCorpus.LOG_ID, 7, failure, "detail of " + failure, new DetectionFinding.Source("twinlane.security", 0, 6)));
            assertEquals(List.of(), VALIDATOR.problems(e), failure + ": " + e);
        }
        JsonNode noHost = JSON.readTree(f.encode(1L, "twinlane.seals", null, null, -1, "unreadable", "not JSON", null));
        assertEquals(List.of(), VALIDATOR.problems(noHost), noHost.toString());
        System.out.println("OCSF 1.8.0: " + (FAILURES.size() + 1) + " Detection Findings valid");
    }

    @Test
    void missingRequiredAttributesAreRejected() throws Exception {
        assertRejected("file_open-denied", e -> obj(e, "device").remove("type_id"), "device.type_id: required");
        assertRejected("file_open-denied", e -> obj(e, "file").remove("type_id"), "file.type_id: required");
        assertRejected("file_open-denied", e -> obj(e, "file").remove("name"), "file.name: required");
        assertRejected("connect", e -> obj(e, "connection_info").remove("direction_id"), "connection_info.direction_id: required");
        assertRejected("exec", e -> obj(e, "metadata").remove("product"), "metadata.product: required");
        assertRejected("exec", e -> ((ObjectNode) e).remove("type_uid"), "type_uid: required");
    }

    @Test
    void badEnumsTypesAndClassificationAreRejected() throws Exception {
        assertRejected("exec", e -> ((ObjectNode) e).put("severity_id", 7), "severity_id: 7 is not one of");
        assertRejected("exec", e -> ((ObjectNode) e).put("activity_id", 6), "activity_id: 6 is not one of");
        assertRejected("file_open-denied", e -> obj(e, "device").put("type_id", 42), "device.type_id: 42 is not one of");
        assertRejected("file_open-denied", e -> ((ObjectNode) e).put("disposition", "Allowed"), "but disposition says 'Allowed'");
        assertRejected("exec", e -> ((ObjectNode) e).put("type_uid", 100702), "type_uid 100702 is not 100701");
        assertRejected("exec", e -> ((ObjectNode) e).put("category_uid", 4), "category_uid 4 is not 1");
        assertRejected("exec", e -> obj(e, "process").put("pid", "4242"), "process.pid: \"4242\" is not a integer_t");
        assertRejected("exec", e -> obj(e, "process").put("pid", 1L << 40), "is not a integer_t");
        assertRejected("connect", e -> obj(e, "dst_endpoint").put("port", 70000), "out of port_t's range");
        assertRejected("connect", e -> obj(e, "dst_endpoint").put("ip", "10.1.2"), "dst_endpoint.ip: '10.1.2' is not a ip_t");
        assertRejected("exec", e -> obj(e, "metadata").put("version", "1.3.0"), "metadata.version \"1.3.0\" is not 1.8.0");
        assertRejected("exec", e -> obj(e, "process").put("colour", "red"), "process.colour: not an attribute of process");
        assertRejected("exec", e -> obj(obj(e, "actor"), "process").put("tid", 1), "actor.process.tid: deprecated");
    }

    @Test
    void profileAttributesWithoutTheirProfileAreRejected() throws Exception {
        // disposition is the security_control profile's
        assertRejected("file_open-denied", e -> profiles(e).removeAll().add("host"),
                "disposition_id: an attribute of the security_control profile");
        // on Network Activity, device and actor exist only through the host profile
        assertRejected("connect", e -> profiles(e).removeAll(), "device: an attribute of the host profile");
        assertRejected("connect", e -> profiles(e).add("incident"), "'incident' is not a profile of network_activity");
    }

    private static ObjectNode obj(JsonNode e, String name) {
        return (ObjectNode) e.get(name);
    }

    private static ArrayNode profiles(JsonNode e) {
        return (ArrayNode) e.get("metadata").get("profiles");
    }

    private static void assertRejected(String input, Consumer<JsonNode> breakIt, String expected) throws Exception {
        JsonNode e = JSON.readTree(new String(RecordCorpus.event(RecordCorpus.all().get(input)), StandardCharsets.UTF_8));
        assertEquals(List.of(), VALIDATOR.problems(e), "valid before it is broken");
        breakIt.accept(e);
        List<String> problems = VALIDATOR.problems(e);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected '" + expected + "' in " + problems);
    }
}
