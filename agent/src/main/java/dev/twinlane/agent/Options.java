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
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " wants a whole number, not '" + v + "'");
        }
    }

    /** 10s, 500ms, 2m, or a bare number of seconds (the forms twinlane siem accepts too). */
    Duration duration(String name, Duration dflt) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Siem.duration(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " wants a duration like 10s or 500ms, not '" + v + "'");
        }
    }
}
