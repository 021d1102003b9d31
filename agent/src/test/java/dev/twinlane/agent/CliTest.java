package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line as a user meets it: help on every command, one-line usage errors (exit 2), --version. */
class CliTest {
    /** Every command's words, e.g. [] for ./twinlane itself, [run], [siem]. */
    private static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        all.add(List.of());
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            all.add(List.of(name));
        }
        return all;
    }

    private static CommandLine command(List<String> words) {
        CommandLine c = Main.commandLine();
        return words.isEmpty() ? c : c.getSubcommands().get(words.get(0));
    }

    private static String[] args(List<String> words, String... more) {
        List<String> a = new ArrayList<>(words);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void helpAndHOnEveryCommandListItsOptions() {
        for (List<String> words : commands()) {
            for (String help : List.of("--help", "-h")) {
                Console c = Console.run(args(words, help));
                assertEquals(0, c.code(), words + " " + help + ": " + c.err());
                assertEquals("", c.err(), words + " " + help);
                for (OptionSpec o : command(words).getCommandSpec().options()) {
                    // hidden: the launcher's own (run --landlock-plan)
                    assertTrue(o.hidden() || c.out().contains(o.longestName()), words + " " + help + " lists " + o.longestName());
                }
            }
        }
    }

    @Test
    void helpListsEveryCommandAsDoTwinlaneAloneAndHelpCommand() {
        Console help = Console.run("--help");
        for (Map.Entry<String, CommandLine> c : Main.commandLine().getSubcommands().entrySet()) {
            assertTrue(help.out().contains(c.getKey()), c.getKey());
        }
        assertEquals(help, Console.run());
        assertEquals(help, Console.run("help"));
        assertEquals(Console.run("run", "--help"), Console.run("help", "run"));
    }

    @Test
    void anUnknownOptionIsOneLineAndExit2OnEveryCommand() {
        for (List<String> words : commands()) {
            if (words.equals(List.of("help"))) {
                continue; // picocli's help command: asking for help, it prints help whatever else it is given
            }
            Console c = Console.run(args(words, "--bogus"));
            String name = String.join(" ", args(List.of("twinlane"), words.toArray(String[]::new)));
            assertEquals(2, c.code(), name);
            assertEquals(name + ": unknown option '--bogus' (see ./" + name + " --help)\n", c.err());
            assertEquals("", c.out());
        }
    }

    @Test
    void otherUsageErrorsAreOneLineNamingTheProblem() {
        assertEquals(new Console(2, "", "twinlane: unknown command 'frobnicate' (see ./twinlane --help)\n"),
                Console.run("frobnicate"));
        assertEquals(new Console(2, "", "twinlane run: --duration needs a value (see ./twinlane run --help)\n"),
                Console.run("run", "--duration"));
        assertEquals(new Console(2, "", "twinlane run: --mode wants enforce or audit, not 'loud' (see ./twinlane run --help)\n"),
                Console.run("run", "--mode", "loud"));
        assertEquals(new Console(2, "", "twinlane broker: --port wants a port number from 1 to 65535, not '70000'"
                + " (see ./twinlane broker --help)\n"), Console.run("broker", "--data-dir", "/tmp/x", "--port", "70000"));
        assertEquals(new Console(2, "", "twinlane siem: needs --bootstrap HOST:PORT (see ./twinlane siem --help)\n"),
                Console.run("siem"));
        assertEquals(new Console(2, "", "twinlane siem: --idle-exit wants a duration like 10s or 500ms, not 'soon'"
                + " (see ./twinlane siem --help)\n"), Console.run("siem", "--bootstrap", "h:1", "--idle-exit", "soon"));
        assertEquals(new Console(2, "", "twinlane broker: --tls-dir needs --scram-password-file FILE (the SCRAM user's"
                + " password) (see ./twinlane broker --help)\n"), Console.run("broker", "--data-dir", "/tmp/x", "--tls-dir", "/tmp/t"));
        assertEquals(new Console(2, "", "twinlane broker: --no-plaintext needs --tls-dir DIR (see ./twinlane broker --help)\n"),
                Console.run("broker", "--data-dir", "/tmp/x", "--no-plaintext"));
        assertEquals(new Console(2, "", "twinlane siem: --kafka-password-file: SCRAM needs both --kafka-user and --kafka-password-file"
                + " (see ./twinlane siem --help)\n"), Console.run("siem", "--bootstrap", "h:1", "--kafka-user", "u"));
        assertEquals(new Console(2, "", "twinlane run: --kafka-ca: cannot read /nonexistent/ca.pem (see ./twinlane run --help)\n"),
                Console.run("run", "--kafka", "127.0.0.1:9093", "--kafka-ca", "/nonexistent/ca.pem", "--duration", "1s"));
        assertEquals(new Console(2, "", "twinlane completion: needs SHELL (see ./twinlane completion --help)\n"),
                Console.run("completion"));
        assertEquals(new Console(2, "", "twinlane completion: SHELL wants bash, not 'fish' (see ./twinlane completion --help)\n"),
                Console.run("completion", "fish"));
    }

    @Test
    void versionOnTheLauncherAndEveryCommand() {
        for (List<String> words : commands()) {
            if (words.equals(List.of("help"))) {
                continue; // picocli's help command takes a command name, not options
            }
            Console c = Console.run(args(words, "--version"));
            assertEquals(0, c.code(), words.toString());
            assertTrue(c.out().matches("twinlane 0\\.1\\.0-SNAPSHOT( \\(git [0-9a-f]+(-dirty)?\\))?\n"), c.out());
        }
    }
}
