package dev.twinlane.agent;

import java.util.concurrent.Callable;

import dev.twinlane.broker.BrokerCommand;
import dev.twinlane.cli.Cli;
import dev.twinlane.sandbox.SandboxCommand;
import dev.twinlane.cli.Version;
import dev.twinlane.siem.Siem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of `./twinlane`: every command and option is declared on the command classes, and
 * help, completion and docs/CLI.md are generated from those declarations. siem, broker and
 * sandbox are declared in their own modules, which know nothing of this one (siem and broker have
 * entry points of their own).
 */
@Command(name = Cli.ROOT, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "twinlane: a dual-lane kernel telemetry pipeline (security lane, observability lane).",
        subcommands = {RunCommand.class, StatusCommand.class, TopCommand.class, VerifyCommand.class, ProveCommand.class, CheckProofCommand.class, PolicyCommand.class, FuzzCommand.class, SandboxCommand.class, BrokerCommand.class, Siem.class, DemoCommand.class,
                Main.Test.class, HelpCommand.class, CompletionCommand.class},
        footer = "./twinlane COMMAND --help tells more; every command and option: docs/CLI.md.")
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        RunCommand.ownProcess = true;
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, from the declarations. */
    static CommandLine commandLine() {
        return Cli.commandLine(new Main());
    }

    /** `./twinlane` alone: what `./twinlane help` says. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Declared so that help and completion know it; the launcher runs it (mvn verify) before Java starts. */
    @Command(name = "test", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Runs every test on the real kernel: mvn verify over every module (what CI runs)."
            + " The launcher ./twinlane does this itself.")
    static final class Test implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("twinlane test: run it through the launcher, ./twinlane test (it runs mvn verify)");
            return Cli.USAGE;
        }
    }
}
