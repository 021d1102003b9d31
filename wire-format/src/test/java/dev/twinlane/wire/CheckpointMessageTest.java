package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A checkpoint message read back by a JSON parser alone, note byte for byte (its em dash too). */
class CheckpointMessageTest {
    @Test
    void readsBackWithAPlainJsonParser() throws Exception {
        String note = "twinlane/h/0123\n42\n" + "A".repeat(43) + "=\n\n\u2014 twinlane/h/0123 c2ln\n";
        byte[] h1 = new byte[32];
        byte[] h2 = new byte[32];
        h2[31] = 7;
        byte[] m = CheckpointMessage.encode("0123", "h", 42, note,
                List.of(new CheckpointMessage.Proof(40, List.of(h1, h2)), new CheckpointMessage.Proof(41, List.of())));
        JsonNode v = new ObjectMapper().readTree(m);
        assertEquals(CheckpointMessage.SCHEMA, v.path("schema").asText());
        assertEquals(42, v.path("size").asLong());
        assertEquals(note, v.path("note").asText());
        assertEquals(40, v.path("proofs").get(0).path("old_size").asLong());
        assertArrayEquals(h2, Base64.getDecoder().decode(v.path("proofs").get(0).path("hashes").get(1).asText()));
        assertEquals(0, v.path("proofs").get(1).path("hashes").size());
    }
}
