package dev.twinlane.agent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads from a parsed YAML tree that collect every problem as one line
 * ("security.fsync_ms: must be a whole number >= 0, not 'soon'") instead of
 * stopping at the first, and flag keys nobody read (typos).
 */
final class ConfigReader {
    private final String path;
    private final Map<String, Object> node;
    private final List<String> errors;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigReader(String path, Map<String, Object> node, List<String> errors) {
        this.path = path;
        this.node = node == null ? Map.of() : node;
        this.errors = errors;
    }

    private String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    /** A problem found across values (the message follows the key). */
    void problem(String k, String message) {
        errors.add(key(k) + ": " + message);
    }

    /** The key is present, even with an empty value. */
    boolean has(String k) {
        return node.containsKey(k);
    }

    ConfigReader section(String k) {
        read.add(k);
        Object v = node.get(k);
        if (v != null && !(v instanceof Map)) {
            errors.add(key(k) + ": must be a mapping");
            v = null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new ConfigReader(key(k), m, errors);
    }

    /** A mapping inside a list, e.g. one rule of routing.promote. */
    @SuppressWarnings("unchecked")
    ConfigReader item(String name, Object value) {
        if (!(value instanceof Map)) {
            errors.add(key(name) + ": must be a mapping");
            return new ConfigReader(key(name), Map.of(), errors);
        }
        return new ConfigReader(key(name), (Map<String, Object>) value, errors);
    }

    long number(String k, long dflt, long min, long max) {
        read.add(k);
        Object v = node.get(k);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n >= min && n <= max) {
                return n;
            }
        }
        errors.add(key(k) + ": must be a whole number from " + min + " to " + max + ", not '" + v + "'");
        return dflt;
    }

    /** A duration like 1ms, 500us or 2s (a bare 0 is zero), in nanoseconds from min to max. */
    long nanos(String k, long dflt, long min, long max) {
        read.add(k);
        Object v = node.get(k);
        if (v == null) {
            return dflt;
        }
        try {
            long n = v.equals(0) ? 0 : dev.twinlane.cli.Durations.parse(String.valueOf(v)).toNanos();
            if (n >= min && n <= max) {
                return n;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // reported below
        }
        errors.add(key(k) + ": must be a duration from " + java.time.Duration.ofNanos(min) + " to "
                + java.time.Duration.ofNanos(max) + " (like 1ms, 500us), not '" + v + "'");
        return dflt;
    }

    int powerOfTwo(String k, int dflt, int min, int max) {
        long n = number(k, dflt, min, max);
        if (Long.bitCount(n) != 1) {
            errors.add(key(k) + ": must be a power of two, not " + n);
            return dflt;
        }
        return (int) n;
    }

    boolean flag(String k, boolean dflt) {
        read.add(k);
        Object v = node.get(k);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        errors.add(key(k) + ": must be true or false, not '" + v + "'");
        return dflt;
    }

    String text(String k, String dflt) {
        read.add(k);
        Object v = node.get(k);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String) {
            return (String) v;
        }
        errors.add(key(k) + ": must be text, not '" + v + "'");
        return dflt;
    }

    String choice(String k, String dflt, Set<String> allowed) {
        String v = text(k, dflt);
        if (!allowed.contains(v)) {
            errors.add(key(k) + ": must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ", not '" + v + "'");
            return dflt;
        }
        return v;
    }

    /** auto, true or false (YAML's on/off/yes/no are booleans too), as "auto", "true" or "false". */
    String autoOrFlag(String k, String dflt) {
        Object v = node.get(k);
        if (v instanceof Boolean b) {
            read.add(k);
            return b.toString();
        }
        return choice(k, dflt, Set.of("auto", "true", "false"));
    }

    List<Object> list(String k) {
        read.add(k);
        Object v = node.get(k);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List) {
            return new ArrayList<>((List<?>) v);
        }
        errors.add(key(k) + ": must be a list");
        return List.of();
    }

    /** Reports keys that no read asked for: almost always a typo. */
    void rejectUnknown() {
        for (String k : node.keySet()) {
            if (!read.contains(k)) {
                errors.add(key(k) + ": unknown key");
            }
        }
    }

    void error(String message) {
        errors.add(path + ": " + message);
    }
}
