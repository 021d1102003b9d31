package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.twinlane.cli.Choice;
import dev.twinlane.cli.Cli;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import dev.twinlane.fuzzer.FuzzPlan;
import dev.twinlane.fuzzer.KernelDelivery;
import dev.twinlane.fuzzer.LogMatch;
import dev.twinlane.fuzzer.OfflineRun;
import dev.twinlane.fuzzer.Outcome;
import dev.twinlane.fuzzer.Payload;
import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.ThreatClass;
import dev.twinlane.fuzzer.Report;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * `twinlane fuzz`: the fuzzer's payloads and the host's benign corpus through the real kernel path
 * (execs and opens while an agent runs in this process, on a scratch data directory), then the
 * security log read back and joined with what was sent. The payloads, the delivery and the join
 * are the fuzzer module's; this class only starts and stops the agent and reads its log.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Sends adversarial payloads (command, SQL, path traversal, prompt injection, social engineering)"
                + " through exec arguments and file names while an agent runs, reads its security log back and prints,"
                + " per class, sent, recorded, detected and recall, and the false positives on a benign corpus built"
                + " from this host. Needs root (it loads the BPF programs), except with --offline."},
        footer = "Exit status: 0 when every payload was recorded and the targets (recall >= 99 %% per class, false"
                + " positives <= 0.1 %%) are met; 1 when not (the table says which), or on a failure; 2 for a bad option.")
final class FuzzCommand implements Callable<Integer> {
    @Option(names = "--class", paramLabel = "CLASS", converter = ClassChoice.class, completionCandidates = ClassChoice.class,
            description = "only this threat class (repeatable): ${COMPLETION-CANDIDATES}; default: every class")
    List<ThreatClass> classes = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", converter = Count.class, defaultValue = "100",
            description = "payloads per class, 1-100000 (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--benign", paramLabel = "N", converter = Benign.class, defaultValue = "1000",
            description = "benign strings from this host, 0-100000 (default ${DEFAULT-VALUE})")
    int benign;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "the same seed sends the same payloads (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the figures, and the payloads missed or flagged, as JSON")
    Path out;

    @Option(names = "--offline", description = "the payloads through the in-process detector only: no kernel, no agent")
    boolean offline;

    @Override
    public Integer call() throws Exception {
        List<ThreatClass> chosen = classes.isEmpty() ? List.of(ThreatClass.values()) : classes;
        List<Payload> payloads = FuzzPlan.payloads(chosen, count, benign, seed, Path.of("/"));
        Report report = offline ? new Report("offline", seed, OfflineRun.run(payloads, DetectionRules.builtin()))
                : kernelRun(payloads);
        report.print(System.out);
        if (out != null) {
            report.writeJson(out);
        }
        boolean allRecorded = offline || report.rows().values().stream().allMatch(r -> r.recorded() == r.sent());
        return allRecorded && report.targetsMet() ? 0 : Cli.FAILURE;
    }

    private Report kernelRun(List<Payload> payloads) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new UsageException("needs root: it loads the BPF programs (or use --offline)");
        }
        Path scratch = Files.createTempDirectory("tlfz");
        try {
            KernelDelivery delivery = KernelDelivery.prepare(scratch, payloads);
            AgentConfig c = AgentConfig.defaults();
            c.dataDir = scratch.resolve("data");
            c.watch = List.of(delivery.watchPrefix());
            List<KernelDelivery.Delivered> delivered;
            try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), Pipeline.PLAIN)) {
                delivered = delivery.deliverAll();
            }
            List<Outcome> outcomes = new LogMatch(securityRecords(c.dataDir)).match(delivered);
            return new Report("kernel", seed, outcomes);
        } finally {
            deleteTree(scratch);
        }
    }

    /** Every record of the closed security log that came from the kernel or the detector, in log order. */
    static List<byte[]> securityRecords(Path dataDir) {
        List<byte[]> out = new ArrayList<>();
        ChainedLog.Builder b = ChainedLog.security(dataDir.resolve("security"))
                .identityFile(Pipeline.identityFile(dataDir, "security"));
        try (ChainedLog log = b.keys(KeyRing.load(dataDir.resolve("keys/security.key"))).build(); ChainReader r = log.reader()) {
            while (r.next()) {
                if (r.kind() <= Kinds.MAX_APP_KIND) {
                    out.add(Arrays.copyOfRange(r.bytes(), r.payloadOffset(), r.payloadOffset() + r.payloadLength()));
                }
            }
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static final class ClassChoice extends Choice<ThreatClass> {
        ClassChoice() {
            super(Stream.of(ThreatClass.values()).flatMap(c -> Stream.of(c.label(), c)).toArray());
        }
    }

    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return bounded(value, 1, 100_000);
        }
    }

    static final class Benign implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return bounded(value, 0, 100_000);
        }
    }

    private static int bounded(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("wants a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}
