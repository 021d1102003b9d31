package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/twinlane.rules.yml: promtool accepts it, and its unit tests beside it
 * (twinlane.rules.test.yml: each alert fires on the series that should raise it, stays quiet
 * on healthy ones) pass.
 */
class PrometheusRulesTest {
    static final Path DIR = Prometheus.repoRoot().resolve("deploy/prometheus");

    @BeforeAll
    static void promtool() throws Exception {
        PipelineTest.requireRoot();   // apt installs it
        Prometheus.ensureInstalled();
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        String out = promtool("check", "rules", "twinlane.rules.yml");
        assertTrue(out.contains("SUCCESS: 7 rules found"), out);
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        String out = promtool("test", "rules", "twinlane.rules.test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    private static String promtool(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "promtool";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "promtool " + String.join(" ", args) + ":\n" + out);
        System.out.print("promtool " + String.join(" ", args) + ": " + out);
        return out;
    }
}
