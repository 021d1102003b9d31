package dev.twinlane.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.twinlane.siem.Siem;

/** `--name value` and `--flag` options, checked against what a command accepts. */
final class Options {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Options() {
    }

    static Options parse(String[] args, Set<String> withValue, Set<String> flags) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.startsWith("--") ? a.substring(2) : null;
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flags.contains(name)) {
                o.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (name != null && withValue.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    v = args[++i];
                }
                o.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int integer(String name, int dflt) throws UsageException {
        return integer(name, dflt, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number from min to max. */
    int integer(String name, int dflt, int min, int max) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + " wants a whole number"
                + (min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "" : " from " + min + " to " + max)
                + ", not '" + v + "'");
    }

    /** 10s, 500ms, 2m, or a bare number of seconds (the forms twinlane siem accepts too); longer than 0. */
    Duration duration(String name, Duration dflt) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        Duration d;
        try {
            d = Siem.duration(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " wants a duration like 10s or 500ms, not '" + v + "'");
        }
        if (d.isNegative() || d.toMillis() == 0) {
            // also 0.0001s and NaN s, which come out as 0 ms
            throw new UsageException("--" + name + " must be longer than 0, like 10s or 500ms, not '" + v + "'");
        }
        return d;
    }
}
