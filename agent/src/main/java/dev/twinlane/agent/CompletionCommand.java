package dev.twinlane.agent;

import java.util.concurrent.Callable;

import dev.twinlane.cli.Choice;
import dev.twinlane.cli.Cli;
import dev.twinlane.cli.Version;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `twinlane completion bash`: a completion script generated from the declarations, by picocli's AutoComplete. */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Prints a shell completion script for every command and option: source <(./twinlane"
                + " completion bash)")
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", converter = Shells.class, completionCandidates = Shells.class,
            description = "the shell: ${COMPLETION-CANDIDATES} (the script also works in zsh after bashcompinit)")
    String shell;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash(Cli.ROOT, spec.root().commandLine()));
        return 0;
    }

    static final class Shells extends Choice<String> {
        Shells() {
            super("bash", "bash");
        }
    }
}
