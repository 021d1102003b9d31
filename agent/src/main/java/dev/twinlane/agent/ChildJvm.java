package dev.twinlane.agent;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of another {@code twinlane COMMAND} in a JVM of its own, started as the launcher
 * starts this one: the same java, module options, JVM flags and class path.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** {@code java ... dev.twinlane.agent.Main ARGS}, its status file at {@code status}. */
    static List<String> command(Path status, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // the options Chronicle needs and the launcher's JVM flags; not debuggers or agents of this JVM
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")
                    || a.startsWith("-XX:")) {
                cmd.add(a);
            }
        }
        cmd.add("-Djava.util.logging.SimpleFormatter.format=twinlane: %4$s %5$s%6$s%n");
        cmd.add("-Dtwinlane.status=" + status);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
