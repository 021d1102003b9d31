package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** docs/CLI.md is what the commands' declarations generate (CliDoc); -Dtwinlane.cli.doc.write=true rewrites it. */
class CliDocTest {
    private static final Path DOC = Path.of("..", "docs", "CLI.md"); // tests run in agent/

    @Test
    void docsCliMdMatchesTheDeclarations() throws Exception {
        String generated = CliDoc.markdown();
        if (Boolean.getBoolean("twinlane.cli.doc.write")) {
            Files.writeString(DOC, generated);
        }
        List<String> want = generated.lines().toList();
        List<String> have = Files.exists(DOC) ? Files.readAllLines(DOC) : List.of();
        for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
            String w = i < want.size() ? want.get(i) : "(end of file)";
            String h = i < have.size() ? have.get(i) : "(end of file)";
            if (!w.equals(h)) {
                fail("docs/CLI.md differs from the commands' declarations at line " + (i + 1) + ": it has '" + h
                        + "', the declarations give '" + w + "'. Regenerate it (from the repository's root): "
                        + CliDoc.REGENERATE);
            }
        }
    }
}
