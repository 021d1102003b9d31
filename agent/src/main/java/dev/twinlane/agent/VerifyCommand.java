package dev.twinlane.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.twinlane.records.LossSource;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.Failure;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.VerifyReport;

/**
 * `twinlane verify --wal DIR --key FILE [--key FILE2] [--seal FILE] [--seal-pub FILE]`: walks a
 * chained log from its genesis and prints one line, `OK` with counts by kind, or the first
 * failing seq and the class of failure. Read-only. Exit codes: 0 OK, 1 error (key or seal file
 * unreadable), 2 usage, then one per failure class (see {@link Failure}): 3 modified, 4 missing,
 * 5 inserted, 6 reordered, 7 truncated, 8 wrong-key, 9 unreadable.
 */
final class VerifyCommand implements Command {
    public String name() {
        return "verify";
    }

    public String summary() {
        return "check a chained log: OK with counts, or the first bad seq and why (exit 3-9)";
    }

    public int run(String[] args) throws Exception {
        Options o = Options.parse(args, Set.of("wal", "key", "seal", "seal-pub"), Set.of("help"));
        if (o.has("help")) {
            System.out.println(usage());
            return 0;
        }
        if (!o.has("wal") || !o.has("key")) {
            throw new UsageException("needs --wal DIR and --key FILE; " + usage());
        }
        List<Path> keys = new ArrayList<>();
        for (String k : o.all("key")) {
            keys.add(Path.of(k));
        }
        KeyRing ring = KeyRing.load(keys.toArray(new Path[0]));
        byte[] sealPublicKey = o.has("seal-pub") ? SealKey.loadPublic(Path.of(o.get("seal-pub", null))) : null;
        Path seal = o.has("seal") ? Path.of(o.get("seal", null)) : null;
        VerifyReport r = new ChainVerifier(ring, sealPublicKey).verify(Path.of(o.get("wal", null)), seal);
        System.out.println(r.line() + lost(r));
        return r.exitCode();
    }

    /** What the GAP records say was lost, by source, e.g. "; GAP records name 40497 lost events: ...". */
    static String lost(VerifyReport r) {
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

    private static String usage() {
        StringBuilder sb = new StringBuilder("usage: twinlane verify --wal DIR --key FILE [--key FILE] [--seal FILE]"
                + " [--seal-pub FILE]; exit 0 OK, 1 error, 2 usage");
        for (Failure f : Failure.values()) {
            sb.append(", ").append(f.exitCode()).append(' ').append(f.label());
        }
        return sb.toString();
    }
}
