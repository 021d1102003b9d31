package dev.twinlane.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Every corpus record's event, byte for byte as in ocsf-corpus-events.txt. The SIEM consumer
 * compares the shipped event's bytes with its own rendering and takes a slow path (two JSON
 * trees) when they differ, so a rendering that changes its bytes for the same record, even to
 * equal JSON, slows every message of an exporter that renders the old way. A deliberate change
 * of the mapping rewrites the file: {@code -Docsf.corpus.write=true}.
 */
class OcsfBytesTest {
    private static final Path FILE = Path.of("src", "test", "resources", "ocsf-corpus-events.txt");

    @Test
    void everyCorpusEventHasTheBytesItHad() throws Exception {
        Map<String, String> now = new LinkedHashMap<>();
        for (RecordCorpus.Input in : RecordCorpus.all().values()) {
            now.put(in.name(), new String(RecordCorpus.event(in), StandardCharsets.US_ASCII));
        }
        if (Boolean.getBoolean("ocsf.corpus.write")) {
            StringBuilder sb = new StringBuilder();
            now.forEach((name, event) -> sb.append(name).append(' ').append(event).append('\n'));
            Files.writeString(FILE, sb.toString(), StandardCharsets.US_ASCII);
        }
        Map<String, String> had = new LinkedHashMap<>();
        for (String line : Files.readAllLines(FILE, StandardCharsets.US_ASCII)) {
            had.put(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1));
        }
        assertEquals(had, now);
    }
}
