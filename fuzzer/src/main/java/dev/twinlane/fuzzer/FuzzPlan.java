package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a run sends: count payloads of each chosen class, then the benign corpus, ids in that order. */
public final class FuzzPlan {
    private FuzzPlan() {
    }

    public static List<Payload> payloads(List<ThreatClass> classes, int count, int benign, long seed, Path hostRoot)
            throws IOException {
        PayloadGenerator g = new PayloadGenerator(seed);
        List<Payload> out = new ArrayList<>();
        for (ThreatClass c : classes) {
            out.addAll(g.generate(c, count, out.size()));
        }
        out.addAll(new BenignCorpus(hostRoot).sample(benign, seed, out.size()));
        return out;
    }
}
