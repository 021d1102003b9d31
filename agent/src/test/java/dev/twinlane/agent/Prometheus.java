package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Debian's prometheus and promtool for tests: installed by scripts/ensure-deps; the server is {@link LocalPrometheus}. */
final class Prometheus {
    private Prometheus() {
    }

    /** Installs prometheus (and promtool) through apt when missing, as CI on a fresh machine needs. */
    static void ensureInstalled() throws IOException, InterruptedException {
        Process deps = new ProcessBuilder(repoRoot().resolve("scripts/ensure-deps").toString(), "prometheus")
                .inheritIO().start();
        assertEquals(0, deps.waitFor(), "scripts/ensure-deps prometheus");
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/ensure-deps"))) {
            p = p.getParent();
        }
        return p;
    }
}
