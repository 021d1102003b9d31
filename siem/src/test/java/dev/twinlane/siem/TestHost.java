package dev.twinlane.siem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.twinlane.export.ExportSettings;
import dev.twinlane.records.SyntheticRecords;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;

/**
 * One simulated host for transport tests: its own security log (a real ChainedLog with a root
 * key and the fleet's seal key), fed kernel-shaped records by {@link SyntheticRecords}.
 */
final class TestHost implements AutoCloseable {
    final String id;
    final Path dir;
    final Path keyFile;
    final ChainedLog log;
    final SyntheticRecords records;
    long appRecords;

    TestHost(Path root, String id, SealKey seal, long seed) throws IOException {
        this.id = id;
        this.dir = Files.createDirectories(root.resolve(id));
        this.keyFile = dir.resolve("root.key");
        if (!Files.exists(keyFile)) {
            KeyRing.generate(keyFile);
        }
        this.log = ChainedLog.security(dir.resolve("security")).keys(KeyRing.load(keyFile)).sealKey(seal)
                .hostId(id).sealEvery(500, Duration.ofMillis(300)).build();
        this.records = new SyntheticRecords(seed);
    }

    /** Fleet seal key pair under {@code root}: private seal.key, public seal.pub. */
    static SealKey sealKey(Path root) throws IOException {
        Path priv = root.resolve("seal.key");
        if (Files.exists(priv)) {
            return SealKey.load(priv);
        }
        return SealKey.generate(priv, root.resolve("seal.pub"));
    }

    long append(int n) {
        long last = 0;
        for (int i = 0; i < n; i++) {
            byte[] r = records.next((int) appRecords);
            last = log.appender().append(r[0] & 0xFF | (r[1] & 0xFF) << 8, r);
            appRecords++;
        }
        return last;
    }

    ExportSettings settings(String bootstrap, String prefix) {
        ExportSettings s = new ExportSettings().bootstrap(bootstrap).cursorDir(dir.resolve("export"));
        s.securityTopic = prefix + ".security";
        s.sealsTopic = prefix + ".seals";
        s.observabilityTopic = prefix + ".observability";
        s.retryBackoff = Duration.ofMillis(200);
        s.retryBackoffMax = Duration.ofSeconds(2);
        return s;
    }

    /** Copies a host's security log (directory, identity file) from {@code root}/security to {@code to}. */
    static void copyLog(Path hostDir, Path to) throws IOException {
        copyTree(hostDir.resolve("security"), to.resolve("security"));
        Files.copy(hostDir.resolve("security.identity"), to.resolve("security.identity"));
    }

    /** Puts a copy made by {@link #copyLog} back in place of the host's log. */
    static void restoreLog(Path copy, Path hostDir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(hostDir.resolve("security"))) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
        copyTree(copy.resolve("security"), hostDir.resolve("security"));
        Files.copy(copy.resolve("security.identity"), hostDir.resolve("security.identity"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    @Override
    public void close() {
        log.close();
    }
}
