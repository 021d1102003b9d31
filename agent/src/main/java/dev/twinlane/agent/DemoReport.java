package dev.twinlane.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What `twinlane demo` found in its processes' output: the records the agent read from the kernel
 * ({@code run --print all}, one JSON object per record) and the SIEM consumer's OCSF lines.
 */
final class DemoReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoReport() {
    }

    /** The agent's records, counted by lane and kind, with the two the workload planted. */
    record Records(Map<String, Map<String, Long>> byLane, JsonNode denial, JsonNode plantedExec, JsonNode detection) {
        /** "security lane: exec 12, file_open 3 (15 records)", one line per lane. */
        List<String> laneLines() {
            List<String> lines = new ArrayList<>();
            byLane.forEach((lane, kinds) -> {
                StringJoiner j = new StringJoiner(", ");
                long total = 0;
                for (Map.Entry<String, Long> e : kinds.entrySet()) {
                    j.add(e.getKey() + " " + e.getValue());
                    total += e.getValue();
                }
                lines.add(lane + " lane: " + j + " (" + total + " records)");
            });
            return lines;
        }
    }

    /** The SIEM consumer's output: events by OCSF class, chain alerts, the workload's two events. */
    record Siem(long lines, long verified, Map<String, Long> byClass, Map<String, Long> alerts, JsonNode denial,
            JsonNode plantedExec, List<JsonNode> detections) {
        boolean shows() {
            return denial != null && plantedExec != null;
        }
    }

    static Records records(Path jsonl, int denyPort, long plantedPid) throws IOException {
        Map<String, Map<String, Long>> byLane = new LinkedHashMap<>();
        byLane.put("security", new TreeMap<>());
        byLane.put("observability", new TreeMap<>());
        JsonNode denial = null;
        JsonNode planted = null;
        JsonNode detection = null;
        for (JsonNode r : read(jsonl)) {
            String kind = r.path("kind").asText();
            byLane.computeIfAbsent(r.path("ring").asText(), k -> new TreeMap<>()).merge(kind, 1L, Long::sum);
            if (kind.equals("connect") && r.path("dport").asInt() == denyPort && r.path("decision").asText().equals("deny")) {
                denial = r;
            } else if (kind.equals("exec") && r.path("tgid").asLong() == plantedPid) {
                planted = r;
            } else if (kind.equals("detection") && r.path("tgid").asLong() == plantedPid) {
                detection = r;
            }
        }
        return new Records(byLane, denial, planted, detection);
    }

    static Siem siem(Path ocsf, int denyPort, long plantedPid) throws IOException {
        long lines = 0;
        long verified = 0;
        Map<String, Long> byClass = new TreeMap<>();
        Map<String, Long> alerts = new TreeMap<>();
        JsonNode denial = null;
        JsonNode planted = null;
        List<JsonNode> detections = new ArrayList<>();
        for (JsonNode e : read(ocsf)) {
            lines++;
            if (e.path("unmapped").path("verification").has("seq")) {
                verified++;
            }
            byClass.merge(e.path("class_name").asText("class " + e.path("class_uid").asInt()), 1L, Long::sum);
            String failure = e.path("unmapped").path("alert").path("failure").asText("");
            if (!failure.isEmpty()) {
                alerts.merge(failure, 1L, Long::sum);
            }
            if (e.path("class_uid").asInt() == 4001 && e.path("dst_endpoint").path("port").asInt() == denyPort
                    && e.path("disposition").asText().equals("Blocked")) {
                denial = e;
            } else if (e.path("class_uid").asInt() == 1007 && e.path("process").path("pid").asLong() == plantedPid) {
                planted = e;
            } else if (e.path("class_uid").asInt() == 2004 && failure.isEmpty()
                    && e.toString().contains(DemoWorkload.PLANTED_ADDRESS)) {
                detections.add(e);
            }
        }
        return new Siem(lines, verified, byClass, alerts, denial, planted, detections);
    }

    /** The file's JSON lines; a torn last line (the writer is still running) is left for the next read. */
    private static List<JsonNode> read(Path jsonl) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        if (!Files.exists(jsonl)) {
            return all;
        }
        try (BufferedReader in = Files.newBufferedReader(jsonl)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("{") && line.endsWith("}")) {
                    try {
                        all.add(JSON.readTree(line));
                    } catch (IOException torn) {
                        // a line still being written
                    }
                }
            }
        }
        return all;
    }

    /** A few fields of an OCSF event, e.g. for the summary: "Network Activity: Open, Blocked, 127.0.0.1:4711". */
    static String brief(JsonNode e) {
        StringJoiner j = new StringJoiner(", ");
        j.add(e.path("type_name").asText());
        if (e.has("disposition")) {
            j.add("disposition " + e.path("disposition").asText());
        }
        if (e.has("dst_endpoint")) {
            j.add("dst " + e.path("dst_endpoint").path("ip").asText() + ":" + e.path("dst_endpoint").path("port").asInt());
        }
        if (e.path("process").has("cmd_line")) {
            j.add("cmd_line '" + e.path("process").path("cmd_line").asText() + "'");
        }
        if (e.path("status").isTextual()) {
            j.add("status " + e.path("status").asText() + (e.has("status_detail") ? " (" + e.path("status_detail").asText()
                    + ")" : ""));
        }
        j.add("seq " + e.path("unmapped").path("verification").path("seq").asLong() + " verified");
        return j.toString();
    }
}
