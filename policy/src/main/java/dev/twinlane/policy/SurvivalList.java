package dev.twinlane.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Binaries no policy may deny: a policy that would stop init, systemd or the agent itself
 * would take the host or its own enforcement down, so such a rule is a compile error rather
 * than a runtime surprise. The agent adds its own binary and the configuration's entries; a
 * policy file's {@code survival} list adds more, and can remove none.
 */
public record SurvivalList(List<String> paths) {
    /** init and systemd wherever Debian, Fedora and friends keep them. */
    public static final List<String> SYSTEM = List.of("/sbin/init", "/usr/sbin/init", "/lib/systemd/systemd",
            "/usr/lib/systemd/systemd");

    public SurvivalList {
        paths = List.copyOf(paths);
    }

    /** The system entries, the agent's binary (the JVM running it) and configured extras. */
    public static SurvivalList of(String agentBinary, List<String> configured) {
        List<String> all = new ArrayList<>(SYSTEM);
        all.add(agentBinary);
        all.addAll(configured);
        return new SurvivalList(all);
    }

    /** For the agent: the running JVM's own binary, as the kernel sees it exec'd. */
    public static String currentBinary() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
    }
}
