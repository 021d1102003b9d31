package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.twinlane.cli.UsageException;

/** The configuration file (--config) is read before anything starts: any bytes are settings or one line saying why not. */
class AgentConfigFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void anyFileIsSettingsOrOneLine(byte[] text) throws Exception {
        Path f = Files.createTempFile("config", ".yaml");
        try {
            Files.write(f, text);
            AgentConfig.load(f);
        } catch (UsageException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n"),
                    "one clear line: " + e.getMessage());
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
