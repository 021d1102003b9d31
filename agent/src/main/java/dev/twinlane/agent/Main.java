package dev.twinlane.agent;

import java.util.List;

/** Entry point of `./twinlane`: dispatches to one {@link Command}. */
public final class Main {
    private static final List<Command> COMMANDS = List.of(
            new HelpCommand(),
            new VerifyCommand(),
            new RunCommand(),
            new StatusCommand(),
            new BrokerCommand(),
            new SiemCommand());

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String name = args.length == 0 ? "help" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) {
                try {
                    return c.run(rest);
                } catch (UsageException e) {
                    System.err.println("twinlane " + name + ": " + e.getMessage());
                    return 2;
                } catch (Exception e) {
                    // One clear line; the stack trace only when asked for.
                    System.err.println("twinlane " + name + ": " + e.getMessage());
                    if (Boolean.getBoolean("twinlane.debug")) {
                        e.printStackTrace();
                    }
                    return 1;
                }
            }
        }
        System.err.println("twinlane: unknown command '" + name + "'; try ./twinlane help");
        return 2;
    }

    static List<Command> commands() {
        return COMMANDS;
    }

    private static final class HelpCommand implements Command {
        public String name() {
            return "help";
        }

        public String summary() {
            return "list the commands";
        }

        public int run(String[] args) {
            System.out.println("usage: ./twinlane COMMAND [OPTIONS]");
            for (Command c : COMMANDS) {
                System.out.printf("  %-8s %s%n", c.name(), c.summary());
            }
            return 0;
        }
    }
}
