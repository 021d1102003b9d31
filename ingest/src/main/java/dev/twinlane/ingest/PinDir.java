package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bpffs directory holding twinlane's pins: the policy maps (so a restarted agent finds the
 * policy in force) and the cgroup programs' links (so they keep enforcing while no agent runs).
 * Removing a link's pin detaches its program once no process holds the link; removing a map's
 * pin frees the map once no program uses it.
 */
public final class PinDir {
    static final String LINK_PREFIX = "link_";
    private final Path dir;

    private PinDir(Path dir) {
        this.dir = dir;
    }

    /** The directory, created (and bpffs mounted at /sys/fs/bpf when it holds none) if needed. */
    static PinDir prepare(Path dir) {
        Path mount = bpffsMount(dir);
        if (mount == null) {
            Path fsRoot = Path.of("/sys/fs/bpf");
            if (!dir.startsWith(fsRoot)) {
                throw new IngestException("pin directory " + dir + " is not on a bpffs (mount -t bpf bpf DIR)");
            }
            if (LIBC.mount("bpf", fsRoot.toString(), "bpf", 0, null) != 0) {
                throw new IngestException("cannot mount bpffs at " + fsRoot + ": " + Native.strerror(Native.errno()));
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IngestException("cannot create pin directory " + dir + ": " + e.getMessage());
        }
        return new PinDir(dir);
    }

    /** The bpffs mount point holding {@code dir}, or null when it is on no bpffs. */
    static Path bpffsMount(Path dir) {
        try {
            Path best = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("bpf") && dir.startsWith(f[1])
                        && (best == null || Path.of(f[1]).getNameCount() > best.getNameCount())) {
                    best = Path.of(f[1]);
                }
            }
            return best;
        } catch (IOException e) {
            return null;
        }
    }

    Path dir() {
        return dir;
    }

    String mapPin(String map) {
        return dir.resolve(map).toString();
    }

    Path linkPin(String program) {
        return dir.resolve(LINK_PREFIX + program);
    }

    /**
     * Removes every pin under {@code dir} and the directory itself: the cgroup programs detach
     * (once this process holds no link either) and the policy maps are freed. For uninstalling
     * and for tests; an agent's stop keeps its pins.
     */
    public static void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> pins = Files.newDirectoryStream(dir)) {
            for (Path p : pins) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** The programs whose links are pinned here. */
    List<Path> linkPins() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(LINK_PREFIX)).toList();
        }
    }
}
