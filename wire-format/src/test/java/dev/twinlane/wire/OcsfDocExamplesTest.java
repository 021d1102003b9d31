package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.wire.ocsf.OcsfValidator;

/**
 * docs/OCSF.md's examples are what the mapping produces: each ```json block after an
 * {@code <!-- example: INPUT -->} line is compared with the event rendered from that input
 * ({@link RecordCorpus}, or {@code finding:FAILURE} below) and checked against the schema.
 */
class OcsfDocExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: (\\S+) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);
    static final String FINDING_DETAIL = "seq 1207..1209 never arrived; the next record present is seq 1210";

    @Test
    void everyExampleIsTheMappingsOutputAndValid() throws Exception {
        Map<String, String> examples = examples();
        Set<Integer> classes = new TreeSet<>();
        for (Map.Entry<String, String> ex : examples.entrySet()) {
            JsonNode shown = JSON.readTree(ex.getValue());
            JsonNode produced = JSON.readTree(render(ex.getKey()));
            assertEquals(produced, shown, "docs/OCSF.md example '" + ex.getKey() + "' is not what the mapping produces:\n"
                    + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(produced));
            OcsfValidator.vendored().assertValid(shown);
            classes.add(shown.path("class_uid").asInt());
        }
        assertEquals(Set.of(1001, 1007, 2004, 4001, 5019), classes, "one example per class");
        System.out.println("docs/OCSF.md: " + examples.size() + " examples, each the mapping's output and valid OCSF 1.8.0");
    }

    private static byte[] render(String input) {
        if (input.startsWith("finding:")) {
            return new DetectionFinding().encode(1_795_604_560_000L, Topics.SECURITY, RecordCorpus.HOST, RecordCorpus.LOG_ID,
                    1207, input.substring("finding:".length()), FINDING_DETAIL, new DetectionFinding.Source(Topics.SECURITY, 0, 5120));
        }
        RecordCorpus.Input in = RecordCorpus.all().get(input);
        assertNotNull(in, "docs/OCSF.md names an input the corpus does not have: " + input);
        return RecordCorpus.event(in);
    }

    private static Map<String, String> examples() throws Exception {
        Path doc = Path.of("..", "docs", "OCSF.md");
        Matcher m = EXAMPLE.matcher(Files.readString(doc));
        Map<String, String> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
