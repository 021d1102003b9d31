package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The figures of a run: per threat class sent, recorded, detected (any class), detected as its own
 * class, and recall (own class / sent); for the benign corpus sent, recorded, flagged and the
 * false-positive rate (flagged / sent). Targets: recall at least 99 % per class, false positives at
 * most 0.1 %.
 */
public final class Report {
    public static final double RECALL_TARGET = 0.99;
    public static final double FP_TARGET = 0.001;
    private static final int EXAMPLES = 5;
    private static final Pattern MUTATIONS = Pattern.compile("\\[([A-Z0-9_, ]+)\\]");

    /** One row of the table. */
    public record Row(String name, int sent, int recorded, int detected, int detectedAsClass) {
        public double rate(boolean benign) {
            return sent == 0 ? 0 : (benign ? detected : detectedAsClass) / (double) sent;
        }
    }

    private final String mode;
    private final long seed;
    private final Map<ThreatClass, Row> rows = new EnumMap<>(ThreatClass.class);
    private final Row benign;
    private final List<Outcome> outcomes;

    public Report(String mode, long seed, List<Outcome> outcomes) {
        this.mode = mode;
        this.seed = seed;
        this.outcomes = outcomes;
        for (ThreatClass c : ThreatClass.values()) {
            List<Outcome> of = outcomes.stream().filter(o -> o.payload().threat() == c).toList();
            if (!of.isEmpty()) {
                rows.put(c, row(c.label(), of));
            }
        }
        List<Outcome> b = outcomes.stream().filter(o -> o.payload().benign()).toList();
        benign = b.isEmpty() ? null : row("benign", b);
    }

    private static Row row(String name, List<Outcome> of) {
        return new Row(name, of.size(), (int) of.stream().filter(Outcome::recorded).count(),
                (int) of.stream().filter(Outcome::detected).count(), (int) of.stream().filter(Outcome::detectedAsOwnClass).count());
    }

    public Map<ThreatClass, Row> rows() {
        return rows;
    }

    public Row benign() {
        return benign;
    }

    /** Every class at or above the recall target and the benign corpus at or below the FP target. */
    public boolean targetsMet() {
        return rows.values().stream().allMatch(r -> r.rate(false) >= RECALL_TARGET)
                && (benign == null || benign.rate(true) <= FP_TARGET);
    }

    public void print(PrintStream out) {
        out.printf("%-20s %8s %9s %9s %9s %8s%n", "class", "sent", "recorded", "detected", "as class", "recall");
        for (Row r : rows.values()) {
            out.printf("%-20s %8d %9d %9d %9d %7.2f%%%n", r.name(), r.sent(), r.recorded(), r.detected(), r.detectedAsClass(),
                    100 * r.rate(false));
        }
        if (benign != null) {
            out.printf("%-20s %8d %9d %9d %9s %7.2f%% false positives%n", "benign", benign.sent(), benign.recorded(),
                    benign.detected(), "-", 100 * benign.rate(true));
        }
        out.println("targets (recall >= 99 % per class, false positives <= 0.1 %): " + (targetsMet() ? "met" : "missed"));
    }

    public void writeJson(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json());
    }

    Map<String, Object> json() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("mode", mode);
        j.put("seed", seed);
        Map<String, Object> classes = new LinkedHashMap<>();
        rows.forEach((c, r) -> classes.put(c.label(), rowJson(r, false, outcomes.stream().filter(o -> o.payload().threat() == c
                && !o.detectedAsOwnClass()).toList())));
        j.put("classes", classes);
        j.put("recall_by_mutation", byMutation());
        if (benign != null) {
            j.put("benign", rowJson(benign, true, outcomes.stream().filter(o -> o.payload().benign() && o.detected()).toList()));
        }
        j.put("targets", Map.of("recall", RECALL_TARGET, "false_positive_rate", FP_TARGET, "met", targetsMet()));
        return j;
    }

    /**
     * Recall of the attack payloads that went through each mutation ("none": the grammar's text as
     * it is), so a detector's blind spot shows as a mutation, not only as a class.
     */
    private Map<String, Object> byMutation() {
        Map<String, int[]> counts = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (o.payload().benign()) {
                continue;
            }
            Matcher m = MUTATIONS.matcher(o.payload().how());
            List<String> names = m.find() ? List.of(m.group(1).split(", ")) : List.of("none");
            for (String n : names) {
                int[] c = counts.computeIfAbsent(n, k -> new int[2]);
                c[0]++;
                c[1] += o.detectedAsOwnClass() ? 1 : 0;
            }
        }
        Map<String, Object> j = new LinkedHashMap<>();
        counts.forEach((n, c) -> j.put(n, Map.of("sent", c[0], "recall", c[1] / (double) c[0])));
        return j;
    }

    /** A row's counts and the first few payloads that went wrong (missed, or flagged when benign). */
    private static Map<String, Object> rowJson(Row r, boolean benign, List<Outcome> wrong) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("sent", r.sent());
        j.put("recorded", r.recorded());
        j.put("detected", r.detected());
        if (!benign) {
            j.put("detected_as_class", r.detectedAsClass());
            j.put("recall", r.rate(false));
        } else {
            j.put("false_positive_rate", r.rate(true));
        }
        List<Map<String, Object>> ex = new ArrayList<>();
        for (Outcome o : wrong.subList(0, Math.min(EXAMPLES, wrong.size()))) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", o.payload().id());
            e.put("how", o.payload().how());
            e.put("strings", o.payload().strings());
            e.put("detected_as", o.detectedAs().stream().map(c -> c == null ? "unknown" : c.label()).toList());
            if (o.evidence() != null) {
                e.put("evidence", o.evidence());
            }
            if (o.note() != null) {
                e.put("note", o.note());
            }
            ex.add(e);
        }
        j.put(benign ? "flagged" : "missed", ex);
        return j;
    }
}
