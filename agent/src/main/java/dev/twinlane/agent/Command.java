package dev.twinlane.agent;

/** One `twinlane` subcommand. Returns the process exit code. */
interface Command {
    String name();

    /** One line for `twinlane help`. */
    String summary();

    int run(String[] args) throws Exception;
}
