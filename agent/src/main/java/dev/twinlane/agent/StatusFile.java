package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import dev.twinlane.ingest.HookStatus;
import dev.twinlane.ingest.IngestConfig;

/** The running agent's hook status, for `twinlane status` from another process. */
final class StatusFile {
    static final Path PATH = Path.of(System.getProperty("twinlane.status", "/run/twinlane/agent.status"));

    private StatusFile() {
    }

    static void write(List<HookStatus> hooks, IngestConfig.Mode mode) {
        StringBuilder sb = new StringBuilder();
        sb.append("pid ").append(ProcessHandle.current().pid()).append('\n');
        sb.append(render(hooks, mode));
        try {
            Files.createDirectories(PATH.getParent());
            Path tmp = PATH.resolveSibling(PATH.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, PATH, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("twinlane: cannot write status file " + PATH + ": " + e.getMessage());
        }
    }

    static String render(List<HookStatus> hooks, IngestConfig.Mode mode) {
        StringBuilder sb = new StringBuilder();
        sb.append("mode ").append(mode.name().toLowerCase()).append('\n');
        for (HookStatus h : hooks) {
            sb.append(h.describe()).append('\n');
        }
        return sb.toString();
    }

    /** The status of a live agent, if one runs. */
    static Optional<String> readLive() {
        try {
            List<String> lines = Files.readAllLines(PATH);
            long pid = Long.parseLong(lines.get(0).substring(4).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Optional.of(String.join("\n", lines));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static void remove() {
        try {
            Files.deleteIfExists(PATH);
        } catch (IOException e) {
            // Stale files are recognised by their dead pid.
        }
    }
}
