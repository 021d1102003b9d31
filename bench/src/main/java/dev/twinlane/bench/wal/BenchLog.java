package dev.twinlane.bench.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;

/** A security log with fresh keys in a scratch directory, as the agent opens it. */
final class BenchLog {
    private BenchLog() {
    }

    static Path scratch(String name) throws IOException {
        Path base = Path.of(System.getProperty("wal.bench.dir", System.getProperty("java.io.tmpdir")));
        return Files.createTempDirectory(base, name);
    }

    static ChainedLog.Builder security(Path dir) throws IOException {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        KeyRing.generate(keys.resolve("root.key"));
        SealKey.generate(keys.resolve("seal.key"), keys.resolve("seal.pub"));
        return ChainedLog.security(dir.resolve("wal"))
                .keys(KeyRing.load(keys.resolve("root.key")))
                .sealKey(SealKey.load(keys.resolve("seal.key")));
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
