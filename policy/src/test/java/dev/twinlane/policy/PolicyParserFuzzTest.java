package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Policy files and bundles come from operators and the network: any text parses or is one PolicyException line. */
class PolicyParserFuzzTest {
    private static void oneLine(PolicyException e) {
        assertFalse(e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n"),
                "one clear line: " + e.getMessage());
    }

    @FuzzTest(maxDuration = "2m")
    void anyPolicyTextParsesOrIsOneLine(String text) {
        if (text == null) {
            return; // Jazzer's null String: a file's text never is
        }
        try {
            PolicyParser.parse(text, "fuzz.yaml");
        } catch (PolicyException e) {
            oneLine(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void anyBundleTextParsesOrIsOneLine(String text) {
        if (text == null) {
            return;
        }
        try {
            PolicyBundle.parse(text, "fuzz.bundle");
        } catch (PolicyException e) {
            oneLine(e);
        }
    }
}
