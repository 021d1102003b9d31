package dev.twinlane.fuzzer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A context-free grammar read from a resource: {@code [name]} opens a symbol, each following line is
 * one of its alternatives (taken verbatim), {@code $[name]} in an alternative expands that symbol,
 * lines starting with {@code #} are comments. Expansion starts at {@code [start]}. The syntax avoids
 * braces, pipes and quotes, which the payloads themselves are full of.
 */
final class Grammar {
    private static final int MAX_DEPTH = 12;
    private final Map<String, List<String>> rules;
    private final String name;

    private Grammar(String name, Map<String, List<String>> rules) {
        this.name = name;
        this.rules = rules;
    }

    static Grammar resource(String file) {
        try (InputStream in = Grammar.class.getResourceAsStream("grammars/" + file)) {
            if (in == null) {
                throw new IllegalStateException("grammar " + file + " is not packaged");
            }
            return parse(file, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Grammar parse(String name, BufferedReader in) throws IOException {
        Map<String, List<String>> rules = new HashMap<>();
        List<String> current = null;
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = rules.computeIfAbsent(line.substring(1, line.length() - 1), k -> new ArrayList<>());
            } else if (current == null) {
                throw new IllegalStateException(name + ":" + n + ": an alternative before any [symbol]");
            } else {
                current.add(line);
            }
        }
        Grammar g = new Grammar(name, rules);
        g.checkReferences();
        return g;
    }

    /** Every $[x] names a symbol with alternatives, so a typo fails at load, not mid-run. */
    private void checkReferences() {
        if (!rules.containsKey("start")) {
            throw new IllegalStateException(name + ": no [start]");
        }
        for (Map.Entry<String, List<String>> e : rules.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalStateException(name + ": [" + e.getKey() + "] has no alternatives");
            }
            for (String alt : e.getValue()) {
                for (int i = alt.indexOf("$["); i >= 0; i = alt.indexOf("$[", i + 2)) {
                    String ref = alt.substring(i + 2, alt.indexOf(']', i));
                    if (!rules.containsKey(ref)) {
                        throw new IllegalStateException(name + ": [" + e.getKey() + "] refers to unknown $[" + ref + "]");
                    }
                }
            }
        }
    }

    String expand(SplittableRandom r) {
        StringBuilder out = new StringBuilder();
        expand("start", r, out, 0);
        return out.toString();
    }

    private void expand(String symbol, SplittableRandom r, StringBuilder out, int depth) {
        List<String> alts = rules.get(symbol);
        String alt = alts.get(r.nextInt(alts.size()));
        int i = 0;
        while (i < alt.length()) {
            int ref = alt.indexOf("$[", i);
            if (ref < 0 || depth >= MAX_DEPTH) {
                out.append(alt, i, alt.length());
                return;
            }
            out.append(alt, i, ref);
            int end = alt.indexOf(']', ref);
            expand(alt.substring(ref + 2, end), r, out, depth + 1);
            i = end + 1;
        }
    }

    /** How many distinct alternatives the grammar holds (its size, for the README's figures). */
    int alternatives() {
        return rules.values().stream().mapToInt(List::size).sum();
    }
}
