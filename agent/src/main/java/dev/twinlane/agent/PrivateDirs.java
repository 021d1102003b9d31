package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directories the agent keeps its logs and keys in: whoever else may write to one may
 * swap a log or a key under it, so one that is group- or world-writable, or owned by another
 * user than the agent's, is refused at start with one line that says the fix (the style of
 * dev.twinlane.wal's key file checks). The agent creates its own directories 0700.
 */
final class PrivateDirs {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private PrivateDirs() {
    }

    /** A directory of the agent's own, named {@code what} in the message: "chmod 700" is the fix. */
    static void check(String what, Path dir) {
        check(what + " " + dir, dir, "chmod 700 " + dir);
    }

    /** Refuses {@code dir} ({@code what} names it) unless only the agent's user can write to it; absent is fine. */
    static void check(String what, Path dir, String fix) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            if (!Files.isDirectory(dir)) {
                throw new Pipeline.StartRefused(what + " is not a directory");
            }
            int uid = (Integer) Files.getAttribute(dir, "unix:uid");
            int agent = agentUid();
            if (uid != agent) {
                throw new Pipeline.StartRefused(what + " is owned by uid " + uid + ", not the agent's (uid "
                        + agent + "): chown " + (agent == 0 ? "root" : String.valueOf(agent)) + " " + dir);
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode") & 07777;
            String writable = (mode & 02) != 0 ? "world-writable" : (mode & 020) != 0 ? "group-writable" : null;
            if (writable != null) {
                throw new Pipeline.StartRefused(what + " is " + writable + " (mode "
                        + Integer.toOctalString(mode) + "): " + fix);
            }
        } catch (IOException e) {
            throw new Pipeline.StartRefused("cannot check " + what + ": " + e.getMessage());
        }
    }

    /** Creates {@code dir} and any missing parent with mode 0700; existing ones are left as they are. */
    static Path create(Path dir) throws IOException {
        return Files.createDirectories(dir, OWNER_ONLY);
    }

    /** The effective uid of this process (the owner of what it creates). */
    static int agentUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]); // real, effective, saved, fs
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }
}
