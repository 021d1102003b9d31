package dev.twinlane.fuzzer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.Detector;
import dev.twinlane.detector.Finding;

/**
 * The payloads through the detector in this process, as the records would carry them: an exec's
 * argv block (argv[0] the scratch program, NUL-separated) and an open's whole path under the
 * scratch directory. No kernel: fast figures, and the baseline a kernel run should equal.
 */
public final class OfflineRun {
    /** What argv[0] and the scratch directory look like in a kernel run (their length matters for budgets). */
    static final Path SCRATCH = Path.of("/tmp/tlfz0000000000000000000");

    private OfflineRun() {
    }

    public static List<Outcome> run(List<Payload> payloads, DetectionRules rules) throws IOException {
        Detector detector = new Detector(rules);
        Finding f = new Finding();
        List<Outcome> out = new ArrayList<>(payloads.size());
        for (Payload p : payloads) {
            byte[] b = bytes(p);
            boolean hit = p.channel() == Payload.Channel.ARGV ? detector.scanArgs(b, 0, b.length, f) : detector.scan(b, 0, b.length, f);
            out.add(new Outcome(p, true, hit ? List.of(f.threatClass()) : List.of(), hit ? f.ruleName() + ": " + f.evidenceText() : null,
                    null));
        }
        return out;
    }

    static byte[] bytes(Payload p) throws IOException {
        if (p.channel() == Payload.Channel.FILE) {
            Path home = SCRATCH.resolve("w").resolve(Integer.toString(p.id()));
            return Path.of(home + "/" + KernelDelivery.relativePath(home, p)).toString().getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(SCRATCH.resolve("bin/true").toString().getBytes(StandardCharsets.UTF_8));
        block.write(0);
        for (String a : p.argv()) {
            block.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            block.write(0);
        }
        return block.toByteArray();
    }
}
