package dev.twinlane.cli;

import java.util.List;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli set up the way every twinlane entry point behaves: a usage error is one line on stderr that
 * names the problem and where the help is, exit code 2; a failure while running is one line, exit code
 * 1 (its stack trace only with -Dtwinlane.debug=true).
 */
public final class Cli {
    /** The name every command is reached by: {@code ./twinlane COMMAND}. */
    public static final String ROOT = "twinlane";
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Cli() {
    }

    /** A command line for this command and every subcommand it declares. */
    public static CommandLine commandLine(Object command) {
        return configure(new CommandLine(command));
    }

    /**
     * Runs one command of twinlane from an entry point of its own (e.g. the siem module's main), under
     * a {@code twinlane} root so that its help and errors read as they do through {@code ./twinlane}.
     */
    public static int standalone(Object command, String... args) {
        CommandLine sub = new CommandLine(command);
        CommandLine root = new CommandLine(CommandSpec.create().name(ROOT)).addSubcommand(sub);
        String[] all = new String[args.length + 1];
        all[0] = sub.getCommandName();
        System.arraycopy(args, 0, all, 1, args.length);
        return configure(root).execute(all);
    }

    private static CommandLine configure(CommandLine cl) {
        // an argument starting with @ is a value (a path, a reason), never a file of more arguments
        cl.setExpandAtFiles(false);
        // the last of a repeated option counts, as it always did
        cl.setOverwrittenOptionsAllowed(true);
        cl.setParameterExceptionHandler(Cli::usageError);
        cl.setExecutionExceptionHandler(Cli::failure);
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        report(e.getCommandLine(), problem(e) + hint(e.getCommandLine()));
        return USAGE;
    }

    private static int failure(Exception e, CommandLine cl, ParseResult parsed) {
        if (e instanceof UsageException) {
            report(cl, e.getMessage() + hint(cl));
            return USAGE;
        }
        report(cl, e.getMessage() == null ? e.toString() : e.getMessage());
        if (Boolean.getBoolean("twinlane.debug")) {
            e.printStackTrace(cl.getErr());
        }
        return FAILURE;
    }

    private static void report(CommandLine cl, String line) {
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + line);
        cl.getErr().flush();
    }

    private static String hint(CommandLine cl) {
        return " (see ./" + cl.getCommandSpec().qualifiedName() + " --help)";
    }

    /** What is wrong with a command line, in one line without the command's name: "--port wants ...". */
    public static String problem(ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        if (e.getCause() instanceof TypeConversionException && arg != null) {
            // our converters say what they want; the option (or parameter) is named here
            return (arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel()) + " " + e.getCause().getMessage();
        }
        // an unknown option first: picocli checks required options before it reports unmatched ones
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            String first = unmatched.get(0);
            return (first.startsWith("-") ? "unknown option '"
                    : e.getCommandLine().getSubcommands().isEmpty() ? "unexpected argument '" : "unknown command '")
                    + first + "'";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            // "Missing required parameter for option '--x'", "Expected parameter for option '--x' but found '--y'"
            boolean valueMissing = e.getMessage().contains(" for option ");
            return valueMissing && m.getMissing().get(0) instanceof OptionSpec o ? o.longestName() + " needs a value"
                    : "needs " + labels(m.getMissing());
        }
        return e.getMessage().lines().findFirst().orElse("bad command line");
    }

    private static String labels(List<ArgSpec> args) {
        return args.stream().map(a -> a instanceof OptionSpec o ? o.longestName() + " " + o.paramLabel() : a.paramLabel())
                .collect(Collectors.joining(" and "));
    }
}
