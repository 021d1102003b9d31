package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./twinlane completion bash`, sourced in a real bash, completes commands, options and their words. */
class CompletionTest {
    @TempDir
    Path tmp;

    /** What bash offers for this command line (the cursor at its end), as the completion function leaves it. */
    private List<String> complete(Path script, String line) throws Exception {
        String driver = "source " + script + "\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "read -ra COMP_WORDS <<< \"$COMP_LINE\"\n"
                + "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "_complete_twinlane 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\" | sort\n";
        Process bash = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", driver).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), out);
        return out.lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void theGeneratedScriptCompletesCommandsOptionsAndValues() throws Exception {
        Console c = Console.run("completion", "bash");
        assertEquals(0, c.code(), c.err());
        Path script = Files.writeString(tmp.resolve("twinlane.bash"), c.out());
        assertEquals(List.of("run"), complete(script, "twinlane ru"));
        assertEquals(List.of("status", "siem", "sandbox").stream().sorted().toList(), complete(script, "twinlane s"));
        assertEquals(List.of("--deny-addr", "--deny-file", "--deny-port"), complete(script, "twinlane run --deny-"));
        assertEquals(List.of("all", "observability", "security"), complete(script, "twinlane run --print "));
        assertEquals(List.of("audit", "enforce"), complete(script, "twinlane run --mode "));
        assertEquals(List.of("--seal", "--seal-pub"), complete(script, "twinlane verify --seal"));
    }
}
