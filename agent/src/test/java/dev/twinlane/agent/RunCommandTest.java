package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `twinlane run` checks every option and rule before it loads anything into the kernel or
 * writes a log: a bad one is one line on stderr, exit code 2, and the data directory is not
 * even created.
 */
class RunCommandTest {
    static {
        // should a refusal regress into a start, the status file must not touch /run/twinlane
        System.setProperty("twinlane.status", System.getProperty("java.io.tmpdir") + "/twinlane-test-agent.status");
    }

    @TempDir
    Path tmp;

    private record Outcome(int code, String err) {
    }

    /** `run` in audit mode for at most a second (so that a regression neither enforces nor hangs). */
    private Outcome run(String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--data-dir", tmp.resolve("data").toString(), "--mode", "audit"));
        args.addAll(List.of(options));
        if (!args.contains("--duration")) {
            args.addAll(List.of("--duration", "1s"));
        }
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setErr(saved);
        }
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private void refused(String expected, String... options) {
        Outcome o = run(options);
        assertEquals("twinlane run: " + expected + " (see ./twinlane run --help)\n", o.err);
        assertEquals(2, o.code, "a usage error");
        assertFalse(Files.exists(tmp.resolve("data")), "nothing was started or written");
    }

    @Test
    void aDurationMustBePositive() {
        refused("--duration must be longer than 0, like 10s or 500ms, not '-5s'", "--duration", "-5s");
        refused("--duration must be longer than 0, like 10s or 500ms, not '0s'", "--duration", "0s");
    }

    @Test
    void aPortIsANumberFrom1To65535() {
        refused("--deny-port wants a port number from 1 to 65535, not 'abc'", "--deny-port", "abc");
        refused("--deny-port wants a port number from 1 to 65535, not '70000'", "--deny-port", "22", "--deny-port", "70000");
    }

    @Test
    void anAddressIsAnIpLiteralNeverAName() {
        refused("--deny-addr wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1 (not a name, not a"
                + " network), not '999.1.1.1'", "--deny-addr", "999.1.1.1");
    }

    @Test
    void aDeniedFileMustExist() {
        Path missing = tmp.resolve("no-such-file");
        refused("--deny-file wants an existing file, not '" + missing + "' (no such file)",
                "--deny-file", missing.toString());
    }

    @Test
    void aSampleRateOrWatchPrefixOutOfRangeIsAUsageError() {
        refused("--sample-rate wants a whole number from 0 to 1000000, not '-1'", "--sample-rate", "-1");
        refused("--watch wants a path prefix of 1 to 128 bytes, not ''", "--watch", "");
    }

    @Test
    void aBadDetectorRulesFileStopsTheStartInOneLine() throws Exception {
        Path rules = Files.writeString(tmp.resolve("rules.txt"), "# ours\n9001 rootkit our-rule x \\bx\\b\n");
        refused("detector rules " + rules + ":2: unknown class 'rootkit' (one of command_injection, sql_injection,"
                + " path_traversal, prompt_injection, social_engineering)", "--detector-rules", rules.toString());
    }
}
