package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * deploy/kubernetes/daemonset.yaml against the JSON schema of the Kubernetes 1.30 API types (fabric8's
 * kubernetes-model-apps 6.13.4 on Maven Central ships it, generated from k8s.io/api), made strict as
 * kubeconform's -strict schemas are: no property the API does not define. A misspelled field fails.
 */
class DaemonSetManifestTest {
    private static final Path MANIFEST = Prometheus.repoRoot().resolve("deploy/kubernetes/daemonset.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theManifestIsAValidDaemonSet() throws Exception {
        JsonNode manifest = load(Files.readString(MANIFEST));
        List<Error> errors = daemonSetSchema().validate(manifest);
        assertEquals(List.of(), errors, "deploy/kubernetes/daemonset.yaml against the apps/v1 DaemonSet schema");
    }

    @Test
    void aMisspelledFieldOrAWrongTypeFails() throws Exception {
        Schema schema = daemonSetSchema();
        String yaml = Files.readString(MANIFEST);
        for (String[] change : List.of(new String[] {"hostPID: true", "hostPid: true"},
                new String[] {"mountPropagation: HostToContainer", "mountPropogation: HostToContainer"},
                new String[] {"containerPort: 9464", "containerPort: nine"},
                new String[] {"kind: DaemonSet", "kind: Daemonset"})) {
            assertTrue(yaml.contains(change[0]), change[0]);
            List<Error> errors = schema.validate(load(yaml.replace(change[0], change[1])));
            System.out.println(change[1] + ": " + errors);
            assertFalse(errors.isEmpty(), "'" + change[1] + "' must fail");
        }
    }

    /** What a DaemonSet on a node needs for the agent: the host's pids, BPF, tracing, security, its data and probes. */
    @Test
    void theAgentGetsWhatItNeedsOnTheNode() throws Exception {
        JsonNode pod = load(Files.readString(MANIFEST)).at("/spec/template/spec");
        assertTrue(pod.path("hostPID").asBoolean(), "hostPID");
        Map<String, String> hostPaths = new java.util.TreeMap<>();
        pod.path("volumes").forEach(v -> hostPaths.put(v.at("/hostPath/path").asText(), v.path("name").asText()));
        for (String p : List.of("/sys/fs/bpf", "/sys/kernel/btf", "/sys/kernel/tracing", "/sys/kernel/security",
                "/var/lib/twinlane")) {
            assertTrue(hostPaths.containsKey(p), "host path " + p + " mounted: " + hostPaths);
        }
        JsonNode agent = pod.path("containers").get(0);
        List<String> caps = JSON.convertValue(agent.at("/securityContext/capabilities/add"),
                JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        assertTrue(caps.containsAll(List.of("BPF", "PERFMON", "NET_ADMIN")), "capabilities " + caps);
        assertEquals("metrics", agent.at("/ports/0/name").asText());
        assertTrue(agent.path("args").toString().contains("--metrics"), "run serves the metrics port");
        assertEquals("[\"/opt/twinlane/twinlane\",\"status\"]", agent.at("/livenessProbe/exec/command").toString());
    }

    private static JsonNode load(String yaml) {
        return JSON.valueToTree(new Yaml().load(yaml));
    }

    /** The DaemonSet definition with every definition made strict and the wire forms of two types restored. */
    static Schema daemonSetSchema() throws IOException {
        ObjectNode schema;
        try (InputStream in = DaemonSetManifestTest.class.getResourceAsStream("/schema/validation-schema.json")) {
            schema = (ObjectNode) JSON.readTree(in);
        }
        ObjectNode definitions = (ObjectNode) schema.get("definitions");
        for (Iterator<JsonNode> it = definitions.elements(); it.hasNext();) {
            ObjectNode d = (ObjectNode) it.next();
            if (d.has("properties")) {
                d.put("additionalProperties", false);
            }
        }
        // fabric8 models these two as Java objects; on the wire (and in the Kubernetes OpenAPI) they are
        // int-or-string and a quantity string or number
        definitions.set("kubernetes_apimachinery_pkg_util_intstr_IntOrString",
                JSON.readTree("{\"type\": [\"integer\", \"string\"]}"));
        definitions.set("k8s_io_apimachinery_pkg_api_resource_Quantity",
                JSON.readTree("{\"type\": [\"string\", \"number\"]}"));
        // what the API server requires of every DaemonSet (the schema only gives these as defaults)
        ObjectNode daemonSet = (ObjectNode) definitions.get("kubernetes_apps_DaemonSet");
        ((ObjectNode) daemonSet.at("/properties/apiVersion")).put("const", "apps/v1");
        ((ObjectNode) daemonSet.at("/properties/kind")).put("const", "DaemonSet");
        daemonSet.set("required", JSON.readTree("[\"apiVersion\", \"kind\", \"metadata\", \"spec\"]"));
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", schema.get("$schema").asText());
        root.set("definitions", definitions);
        root.put("$ref", "#/definitions/kubernetes_apps_DaemonSet");
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(JSON.writeValueAsString(root));
    }
}
