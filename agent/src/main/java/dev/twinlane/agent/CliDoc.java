package dev.twinlane.agent;

import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * docs/CLI.md, generated from the commands' declarations: each command's --help text, as the command
 * prints it. CliDocTest fails when the file in the tree differs (and says how to regenerate it).
 */
final class CliDoc {
    static final String REGENERATE = "mvn -B -q -ntp -pl agent -am test -Dtest=CliDocTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dtwinlane.cli.doc.write=true";

    private CliDoc() {
    }

    static String markdown() {
        CommandLine root = Main.commandLine();
        StringBuilder md = new StringBuilder("# twinlane command line\n\n")
                .append("<!-- generated from the commands' declarations by dev.twinlane.agent.CliDoc; do not edit."
                        + " Regenerate: ").append(REGENERATE).append(" -->\n\n")
                .append("Every command also answers `--help` (or `-h`) with the same text, and `--version`. Shell")
                .append(" completion: `source <(./twinlane completion bash)`.\n\n");
        for (Map.Entry<String, CommandLine> c : root.getSubcommands().entrySet()) {
            String what = summary(c.getValue());
            md.append("- [`").append(c.getKey()).append("`](#").append(c.getKey()).append("): ").append(what).append('\n');
        }
        section(md, "./twinlane", root);
        for (Map.Entry<String, CommandLine> c : root.getSubcommands().entrySet()) {
            sections(md, c.getKey(), c.getValue());
        }
        return md.toString();
    }

    /** A command's section, then its own subcommands' (policy apply, ...), each under its full name. */
    private static void sections(StringBuilder md, String title, CommandLine c) {
        section(md, title, c);
        if (!title.equals("help")) {
            for (Map.Entry<String, CommandLine> sub : c.getSubcommands().entrySet()) {
                sections(md, title + " " + sub.getKey(), sub.getValue());
            }
        }
    }

    /** The line the command list of --help shows: the header when there is one, else the first line of the description. */
    private static String summary(CommandLine c) {
        String[] header = c.getCommandSpec().usageMessage().header();
        return header.length > 0 ? header[0] : c.getCommandSpec().usageMessage().description()[0];
    }

    private static void section(StringBuilder md, String title, CommandLine c) {
        md.append("\n## ").append(title).append("\n\n```\n").append(c.getUsageMessage(Ansi.OFF)).append("```\n");
    }
}
