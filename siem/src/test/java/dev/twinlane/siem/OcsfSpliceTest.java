package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.twinlane.wire.RecordCorpus;

/**
 * The consumer splices each event's verification in two bytes before its end, without looking:
 * for every record kind the OCSF mapping knows, the event's last member must be an unmapped
 * object without a verification of its own. Spliced as the consumer does, a parser then reads
 * the verification inside unmapped and the rest of the event unchanged.
 */
class OcsfSpliceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKindsEventTakesItsVerificationInItsUnmappedObject() throws Exception {
        for (RecordCorpus.Input in : RecordCorpus.all().values()) {
            byte[] e = RecordCorpus.event(in);
            JsonNode event = JSON.readTree(e);
            assertEquals("unmapped", lastName(event), in.name() + ": the last member");
            assertTrue(event.get("unmapped").isObject() && !event.get("unmapped").has("verification"), in.name());

            int at = e.length - 2;
            String name = e[at - 1] == '{' ? "\"verification\":" : ",\"verification\":";
            String spliced = new String(e, 0, at, StandardCharsets.UTF_8) + name + "{\"seq\":7}"
                    + new String(e, at, 2, StandardCharsets.UTF_8);
            ObjectNode read = (ObjectNode) JSON.readTree(spliced);
            assertEquals(7, read.path("unmapped").path("verification").path("seq").asInt(), in.name() + ": " + spliced);
            ((ObjectNode) read.get("unmapped")).remove("verification");
            assertEquals(event, read, in.name() + ": nothing else changed");
        }
    }

    private static String lastName(JsonNode n) {
        String last = null;
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            last = names.next();
        }
        return last;
    }
}
