package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Policy files and bundles come from operators and the network: any file (bytes, read as UTF-8 as
 * the agent reads them; raw bytes so that the seed inputs are the files themselves) parses or is
 * one PolicyException line; and the fast scanner never reads a text otherwise than SnakeYAML.
 */
class PolicyParserFuzzTest {
    private static void oneLine(PolicyException e) {
        assertFalse(e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n"),
                "one clear line: " + e.getMessage());
    }

    @FuzzTest(maxDuration = "2m")
    void anyPolicyTextParsesOrIsOneLine(byte[] file) {
        try {
            PolicyParser.parse(new String(file, StandardCharsets.UTF_8), "fuzz.yaml");
        } catch (PolicyException e) {
            oneLine(e);
        }
    }

    /** Whatever text the fast scanner reads, SnakeYAML reads into the same tree (PolicyScannerTest). */
    @FuzzTest(maxDuration = "2m")
    void theScannerReadsAsSnakeYamlDoes(byte[] file) {
        PolicyScannerTest.assertSameTree(new String(file, StandardCharsets.UTF_8));
    }

    @FuzzTest(maxDuration = "2m")
    void anyBundleTextParsesOrIsOneLine(byte[] file) {
        try {
            PolicyBundle.parse(new String(file, StandardCharsets.UTF_8), "fuzz.bundle");
        } catch (PolicyException e) {
            oneLine(e);
        }
    }
}
