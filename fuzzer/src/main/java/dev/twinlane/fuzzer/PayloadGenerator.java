package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Payloads of one threat class: a grammar expansion, then zero to three mutations, then a channel
 * (exec arguments, possibly split across several, or a path). Payload i of a class depends only on
 * the seed, the class and i, so {@code --class C} yields the same payloads as a run of every class.
 */
public final class PayloadGenerator {
    /** argv[1..] with their NULs: the exec record holds 512 bytes of argv, argv[0] included. */
    static final int ARGV_BUDGET = 400;
    /** Bytes of a crafted path: the record holds 256 with the scratch directory in front. */
    static final int PATH_BUDGET = 180;
    private static final int ATTEMPTS = 16;
    private static final String[] LEAD_OPTIONS = {"-c", "--message", "--name", "-u", "--file", "--comment", "-e", "--query"};

    private final Map<ThreatClass, Grammar> grammars = new EnumMap<>(ThreatClass.class);
    private final long seed;

    public PayloadGenerator(long seed) {
        this.seed = seed;
        for (ThreatClass c : ThreatClass.values()) {
            grammars.put(c, Grammar.resource(c.label() + ".grammar"));
        }
    }

    /** count payloads of class c, with ids firstId, firstId + 1, ... */
    public List<Payload> generate(ThreatClass c, int count, int firstId) {
        List<Payload> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(one(c, i, firstId + i));
        }
        return out;
    }

    Payload one(ThreatClass c, int index, int id) {
        SplittableRandom r = new SplittableRandom(mix(seed, c.ordinal() + 1, index));
        for (int attempt = 0; ; attempt++) {
            List<Mutation> applied = new ArrayList<>();
            String s = grammars.get(c).expand(r);
            int n = attempt >= ATTEMPTS ? 0 : mutationCount(r);
            while (applied.size() < n) {
                Mutation m = Mutation.values()[r.nextInt(Mutation.values().length)];
                if (m.suits(c)) {
                    applied.add(m);
                }
            }
            // base64 last: a mutation after it (case, look-alikes) would leave bytes that decode to nothing
            applied.sort((a, b) -> Boolean.compare(a.base64(), b.base64()));
            for (Mutation m : applied) {
                s = m.apply(s, r);
            }
            String how = c.label() + (applied.isEmpty() ? "" : " " + applied);
            Payload p = deliverable(c, s, r, id, how);
            if (p != null) {
                return p;
            }
        }
    }

    private static int mutationCount(SplittableRandom r) {
        int x = r.nextInt(100);
        return x < 20 ? 0 : x < 55 ? 1 : x < 85 ? 2 : 3;
    }

    /** The payload on a channel it fits, or null when it fits none (the caller draws again). */
    private static Payload deliverable(ThreatClass c, String s, SplittableRandom r, int id, String how) {
        if (s.isEmpty() || s.indexOf('\0') >= 0) {
            return null;
        }
        int filePercent = c == ThreatClass.PATH_TRAVERSAL ? 70 : 40;
        if (r.nextInt(100) < filePercent && fitsPath(s)) {
            return Payload.file(id, c, s, how + " path");
        }
        List<String> argv = r.nextInt(100) < 30 ? split(s, r) : new ArrayList<>(List.of(s));
        String shape = argv.size() > 1 ? " split " + argv.size() : "";
        if (r.nextInt(100) < 25) {
            argv.add(0, LEAD_OPTIONS[r.nextInt(LEAD_OPTIONS.length)]);
        }
        return fitsArgv(argv) ? Payload.argv(id, c, argv, how + " argv" + shape) : null;
    }

    /** Cut at spaces into 2-4 arguments, as a shell passes words; a string without spaces stays whole. */
    static List<String> split(String s, SplittableRandom r) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = s.indexOf(' '); i > 0; i = s.indexOf(' ', i + 1)) {
            cuts.add(i);
        }
        List<String> out = new ArrayList<>();
        if (cuts.isEmpty()) {
            out.add(s);
            return out;
        }
        int parts = Math.min(cuts.size(), 1 + r.nextInt(3));
        int from = 0;
        for (int k = 0; k < parts; k++) {
            int cut = cuts.get(cuts.size() * (k + 1) / (parts + 1));
            if (cut > from) {
                out.add(s.substring(from, cut));
                from = cut + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    static boolean fitsArgv(List<String> argv) {
        int bytes = 0;
        for (String a : argv) {
            bytes += a.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return bytes <= ARGV_BUDGET;
    }

    /** A path the scratch directory can hold: short, and naming a file (not ending in a directory). */
    static boolean fitsPath(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length > PATH_BUDGET || s.endsWith("/")) {
            return false;
        }
        String last = s.substring(s.lastIndexOf('/') + 1);
        return !last.isEmpty() && !last.equals(".") && !last.equals("..");
    }

    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }

    /** Alternatives in the grammars, by class (the README's figures on their size). */
    public Map<ThreatClass, Integer> grammarSizes() {
        Map<ThreatClass, Integer> out = new EnumMap<>(ThreatClass.class);
        grammars.forEach((c, g) -> out.put(c, g.alternatives()));
        return out;
    }
}
