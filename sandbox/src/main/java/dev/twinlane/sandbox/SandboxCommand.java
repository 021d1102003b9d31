package dev.twinlane.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Choice;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `twinlane sandbox run|compile`: confines a workload with a profile compiled ahead of time (docs/SANDBOX.md). */
@Command(name = "sandbox", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Confines a workload: a seccomp allowlist, Landlock filesystem and TCP rules, namespaces (docs/SANDBOX.md).",
        subcommands = {SandboxCommand.Run.class, SandboxCommand.Compile.class})
public final class SandboxCommand implements Callable<Integer> {
    @Override
    public Integer call() throws UsageException {
        throw new UsageException("needs a subcommand: run or compile");
    }

    /** What run and compile share: which profile, what to add to it, where the cache is. */
    static final class ProfileOptions {
        @Option(names = "--profile", paramLabel = "PROFILE", required = true,
                description = "minimal, build, network (built in) or a profile file (format: docs/SANDBOX.md)")
        String profile;

        @Option(names = "--ns", paramLabel = "NS", split = ",",
                description = "new namespaces besides those the profile names: user, mount, net, pid (comma-separated)")
        List<String> namespaces = List.of();

        @Option(names = "--level", paramLabel = "minimal|medium|maximum", converter = Levels.class, defaultValue = "minimal",
                description = "seed 000's security levels: medium drops capabilities and adds user, mount and net namespaces;"
                        + " maximum also a pid namespace and audit records of denials (default: ${DEFAULT-VALUE})")
        SecurityLevel level;

        @Option(names = "--cache", paramLabel = "DIR", defaultValue = "/var/lib/twinlane/sandbox",
                description = "compiled profiles and the helper (default: ${DEFAULT-VALUE})")
        Path cache;

        /** The compiled profile: from the cache, or compiled now. */
        Path compiled() throws UsageException, IOException {
            try {
                return new ProfileCache(cache).compiled(sources());
            } catch (ProfileException e) {
                throw new UsageException(e.getMessage());
            }
        }

        List<ProfileSource> sources() throws UsageException, IOException {
            List<ProfileSource> sources = new ArrayList<>();
            sources.add(profileSource());
            sources.add(level.source());
            for (String ns : namespaces) {
                if (Namespace.named(ns) == null) {
                    throw new UsageException("--ns wants user, mount, net or pid, not '" + ns + "'");
                }
            }
            if (!namespaces.isEmpty()) {
                sources.add(new ProfileSource("--ns", "namespaces " + String.join(" ", namespaces) + "\n"));
            }
            return sources;
        }

        private ProfileSource profileSource() throws UsageException, IOException {
            ProfileSource builtin = BuiltinProfile.source(profile);
            if (builtin != null) {
                return builtin;
            }
            Path file = Path.of(profile);
            if (!Files.isRegularFile(file)) {
                throw new UsageException("--profile wants " + String.join(", ", BuiltinProfile.NAMES) + " or a profile file, not '" + profile + "'");
            }
            return new ProfileSource(profile, Files.readString(file, StandardCharsets.UTF_8));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Runs CMD under the profile (compiled first unless cached) and exits with CMD's exit code;"
                    + " 125 when the sandbox could not be set up, 126 when CMD could not be executed, 127 when it was not found.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ProfileOptions options;

        @Parameters(paramLabel = "CMD", arity = "1..*", description = "the workload and its arguments (after --)")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            Path compiled = options.compiled();
            SandboxHelper helper = SandboxHelper.installed(options.cache);
            return new ProcessBuilder(helper.command(compiled, command)).inheritIO().start().waitFor();
        }
    }

    @Command(name = "compile", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Checks and compiles the profile into the cache; prints what it allows and the compiled file.")
    static final class Compile implements Callable<Integer> {
        @Mixin
        ProfileOptions options;

        @Override
        public Integer call() throws Exception {
            Path file = new ProfileCache(options.cache).file(options.sources());
            boolean cached = Files.isRegularFile(file);
            Profile profile;
            try {
                profile = ProfileParser.parse(options.sources());
            } catch (ProfileException e) {
                throw new UsageException(e.getMessage());
            }
            Path compiled = options.compiled();
            System.out.println(options.profile + ": " + profile.summary() + "; " + compiled + " (" + Files.size(compiled)
                    + " bytes, " + (cached ? "cached" : "compiled") + ")");
            return 0;
        }
    }

    /** --level's words. */
    static final class Levels extends Choice<SecurityLevel> {
        Levels() {
            super("minimal", SecurityLevel.MINIMAL, "medium", SecurityLevel.MEDIUM, "maximum", SecurityLevel.MAXIMUM);
        }
    }
}
