package dev.twinlane.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Version;
import dev.twinlane.records.LossSource;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * `twinlane verify`: walks a chained log from its genesis and prints one line, `OK` with counts by
 * kind, or the first failing seq and the class of failure. Read-only. Exit codes: 0 OK, 1 error (key
 * or seal file unreadable), 2 usage, then one per failure class (see {@link ChainVerifier.Failure}).
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        modelTransformer = VerifyCommand.ExitCodes.class,
        description = "Checks a chained log (see wal/README.md): prints OK with its records counted by kind, or the"
                + " first bad seq and why. Read-only.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--wal", paramLabel = "DIR", required = true, description = "the log's directory")
    Path wal;

    @Option(names = "--key", paramLabel = "FILE", required = true,
            description = "an HMAC root key file (repeatable, for a log whose key was rotated)")
    List<Path> keys = new ArrayList<>();

    @Option(names = "--seal", paramLabel = "FILE", description = "a seal file the log must match (e.g. DIR/seal.latest)")
    Path seal;

    @Option(names = "--seal-pub", paramLabel = "FILE", description = "check every SEAL record with this Ed25519 public key")
    Path sealPub;

    @Override
    public Integer call() throws Exception {
        KeyRing ring = KeyRing.load(keys.toArray(new Path[0]));
        byte[] sealPublicKey = sealPub != null ? SealKey.loadPublic(sealPub) : null;
        ChainVerifier.Report r = new ChainVerifier(ring, sealPublicKey).verify(wal, seal);
        System.out.println(r.line(KindNames::of) + lost(r));
        return r.exitCode();
    }

    /** What the GAP records say was lost, by source, e.g. "; GAP records name 40497 lost events: ...". */
    static String lost(ChainVerifier.Report r) {
        if (!r.ok() || r.gapLost().isEmpty()) {
            return "";
        }
        long total = 0;
        StringBuilder by = new StringBuilder();
        for (Map.Entry<Integer, Long> e : r.gapLost().entrySet()) {
            total += e.getValue();
            by.append(by.length() == 0 ? "" : ", ").append(e.getValue()).append(' ').append(LossSource.describe(e.getKey()));
        }
        return "; GAP records name " + total + " lost events: " + by;
    }

    /** The exit codes in --help, from {@link ChainVerifier.Failure} (annotations can only hold constants). */
    static final class ExitCodes implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            Map<String, String> codes = new LinkedHashMap<>();
            codes.put("0", "OK");
            codes.put("1", "error (a key or seal file unreadable)");
            codes.put("2", "usage");
            for (ChainVerifier.Failure f : ChainVerifier.Failure.values()) {
                codes.put(String.valueOf(f.exitCode()), f.label());
            }
            spec.usageMessage().exitCodeListHeading("Exit status:%n").exitCodeList(codes);
            return spec;
        }
    }
}
