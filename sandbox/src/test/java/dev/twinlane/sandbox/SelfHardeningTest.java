package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hardened JVM (its own, started for this) cannot exec a shell from any thread and still writes and listens. */
class SelfHardeningTest {
    @TempDir
    Path tmp;

    @Test
    void everyThreadIsFilteredAndExecFails() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SelfHardeningChild.class.getName(), tmp.resolve("written").toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        String[] threads = lines.get(0).split(" ");
        assertEquals("threads", threads[0], lines.toString());
        assertEquals(threads[1], threads[3], "every thread of the JVM, those started before included: " + lines.get(0));
        assertTrue(lines.get(1).startsWith("exec refused") && lines.get(1).contains("error=1"), lines.get(1));
        assertEquals("write still writes, listen true", lines.get(2));
    }
}
