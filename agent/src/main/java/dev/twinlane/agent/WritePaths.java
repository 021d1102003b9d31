package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The directories `twinlane run` writes beneath, from its configuration: the data directory (logs,
 * keys, state, the loss journal, export cursors), the status file's directory (and the JVM's
 * temporary files beside it), and with a policy section its state directory, control socket
 * directory and bpffs pin directory. The launcher confines the agent's writes to these with Landlock before
 * the JVM starts (`run --landlock-plan`, docs/SANDBOX.md); the agent names them in its status.
 */
final class WritePaths {
    private WritePaths() {
    }

    /** Absolute, each once, none beneath another. */
    static List<Path> of(AgentConfig c) {
        return of(c, StatusFile.PATH);
    }

    static List<Path> of(AgentConfig c, Path statusFile) {
        List<Path> dirs = new ArrayList<>(List.of(c.dataDir, statusFile.toAbsolutePath().getParent()));
        if (c.policy != null) {
            dirs.add(c.policy.stateDir(c.dataDir));
            dirs.add(c.policy.controlSocket.toAbsolutePath().getParent());
            dirs.add(c.policy.pinDir);
        }
        TreeSet<Path> sorted = new TreeSet<>();
        dirs.forEach(d -> sorted.add(d.toAbsolutePath().normalize()));
        List<Path> outer = new ArrayList<>();
        for (Path d : sorted) {
            if (outer.isEmpty() || !d.startsWith(outer.get(outer.size() - 1))) {
                outer.add(d);
            }
        }
        return outer;
    }

    /**
     * java.io.tmpdir under confinement, beside the status file (/run/twinlane/tmp): jffi and JNA
     * extract their libraries there at start, Chronicle its files. Not /tmp, which every process
     * shares, and not the data directory, whose disk may be full when the agent starts.
     */
    static Path tmpDir(Path statusFile) {
        return statusFile.toAbsolutePath().normalize().resolveSibling("tmp");
    }

    /**
     * The launcher's plan (read by ./twinlane, line by line): "plan 1", then "off" (--no-self-harden),
     * or "none REASON", or "jvm OPTION" and "write DIR" lines. The directories are created here, as
     * the agent would create them, since Landlock grants only what exists.
     */
    static List<String> plan(AgentConfig c, boolean off, Path statusFile) {
        List<String> lines = new ArrayList<>(List.of("plan 1"));
        if (off) {
            lines.add("off");
            return lines;
        }
        List<Path> dirs = of(c, statusFile);
        Path tmp = tmpDir(statusFile);
        String refused = refusal(dirs);
        if (refused == null) {
            refused = create(c.dataDir, tmp, dirs);
        }
        if (refused != null) {
            lines.add("none " + refused);
            return lines;
        }
        lines.add("jvm -Djava.io.tmpdir=" + tmp);
        lines.add("jvm -Djna.tmpdir=" + tmp);
        dirs.forEach(d -> lines.add("write " + d));
        return lines;
    }

    /** Why these grants must not be made: a newline the plan cannot carry, or the agent's own code beneath one. */
    private static String refusal(List<Path> dirs) {
        List<Path> code = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        for (String entry : System.getProperty("java.class.path").split(":")) {
            code.add(Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry).toAbsolutePath().normalize());
        }
        for (Path d : dirs) {
            if (d.toString().contains("\n")) {
                return "the directory name '" + d.toString().replace("\n", "\\n") + "' holds a newline";
            }
            for (Path c : code) {
                if (c.startsWith(d)) {
                    return d + " holds the agent's own code (" + c + "): a write grant there would let the agent change"
                            + " what the next start runs";
                }
            }
        }
        return null;
    }

    private static String create(Path dataDir, Path tmp, List<Path> dirs) {
        try {
            PrivateDirs.create(dataDir);
            PrivateDirs.create(tmp);
            for (Path d : dirs) {
                Files.createDirectories(d);  // the status and socket directories as StatusFile and ControlServer make them
            }
            return null;
        } catch (IOException e) {
            return "cannot create " + e.getMessage() + " to grant it";
        }
    }
}
