package dev.twinlane.ingest;

import org.junit.jupiter.api.Assumptions;

/** Kernel tests need root (CAP_BPF, CAP_PERFMON); CI runs as root, so there they always run. */
final class Root {
    private Root() {
    }

    static void require() {
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(root, "skipped: loading BPF programs needs root, and this test runs as "
                + System.getProperty("user.name"));
    }
}
