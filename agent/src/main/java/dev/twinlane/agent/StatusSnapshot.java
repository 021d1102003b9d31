package dev.twinlane.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of the running agent's status file (see {@link StatusFile#write}), parsed back: its
 * plain lines (mode, hooks, logs' health, problems) and its meters as written, `name{tags} stat=value`.
 */
record StatusSnapshot(long pid, String mode, Instant at, List<Meter> meters, List<String> problems) {

    /** One meter line: its name, tags in the order written, and each statistic (count, value, total_time, max). */
    record Meter(String name, Map<String, String> tags, Map<String, Double> stats) {
        String tag(String key) {
            return tags.getOrDefault(key, "");
        }

        double stat(String key) {
            return stats.getOrDefault(key, Double.NaN);
        }
    }

    static StatusSnapshot parse(String status) {
        long pid = -1;
        String mode = "";
        Instant at = null;
        List<Meter> meters = new ArrayList<>();
        for (String line : status.lines().toList()) {
            if (line.startsWith("pid ")) {
                pid = Long.parseLong(line.substring(4).trim());
            } else if (line.startsWith("mode ")) {
                mode = line.substring(5).trim();
            } else if (line.startsWith("metrics at ")) {
                at = Instant.parse(line.substring(11).trim());
            } else if (line.startsWith("  ") && at != null) {
                meters.add(meter(line.trim()));
            }
        }
        if (at == null) {
            throw new IllegalArgumentException("the status file has no metrics section (an agent older than this command?)");
        }
        return new StatusSnapshot(pid, mode, at, meters, StatusFile.problems(status));
    }

    /** `name{k=v,k=v} stat=v stat=v`; tag values may hold spaces (`hook=exec records`), never braces. */
    private static Meter meter(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String name;
        Map<String, String> tags = new LinkedHashMap<>();
        String rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            int close = line.indexOf('}', brace);
            name = line.substring(0, brace);
            for (String kv : line.substring(brace + 1, close).split(",")) {
                int eq = kv.indexOf('=');
                tags.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            rest = line.substring(close + 1);
        } else {
            name = space < 0 ? line : line.substring(0, space);
            rest = space < 0 ? "" : line.substring(space);
        }
        Map<String, Double> stats = new LinkedHashMap<>();
        for (String kv : rest.trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                stats.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
            }
        }
        return new Meter(name, tags, stats);
    }

    /** The meters named {@code name}, in the file's order (sorted by tags). */
    List<Meter> named(String name) {
        return meters.stream().filter(m -> m.name().equals(name)).toList();
    }

    /** Statistic {@code stat} of meter {@code name} whose tag {@code key} is {@code value}, NaN when absent. */
    double stat(String name, String key, String value, String stat) {
        return named(name).stream().filter(m -> m.tag(key).equals(value)).mapToDouble(m -> m.stat(stat))
                .findFirst().orElse(Double.NaN);
    }
}
