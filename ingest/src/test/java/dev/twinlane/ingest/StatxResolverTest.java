package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.policy.FileSystemResolver;
import dev.twinlane.policy.Inode;
import dev.twinlane.policy.PolicyException;

/** statx gives every path what NIO's stat gave it: the same inode, the same emptiness, the same error. */
class StatxResolverTest {
    private final StatxResolver statx = new StatxResolver();
    private final FileSystemResolver nio = new FileSystemResolver();

    @Test
    void resolvesAsNioDoes(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Files.createSymbolicLink(dir.resolve("link"), file);
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("none"));
        Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"));
        Files.createDirectories(dir.resolve("d"));
        Files.writeString(dir.resolve("caf\u00e9"), "x");
        List<String> paths = new ArrayList<>(List.of("/", "/etc/passwd", "/proc/self", "/sys/fs/cgroup", "/dev/null"));
        for (String name : List.of("f", "link", "dangling", "none", "d", "d/", "f/", "caf\u00e9", "d//f", "d/../f")) {
            paths.add(dir + "/" + name);
        }
        paths.add(file.toString().substring(1));   // relative: against the working directory, both
        paths.add("");
        for (String p : paths) {
            assertEquals(outcome(nio, p), outcome(statx, p), p);
        }
        assertTrue(statx.resolve(file.toString()).isPresent());
        assertEquals(nio.resolve(file.toString()), statx.resolve(dir + "/link"), "a link is the file it leads to");
    }

    @Test
    void aPathThatCannotBeStatedIsTheSameError(@TempDir Path dir) throws Exception {
        Path loop = Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"));
        for (String p : List.of(loop + "/x", "/etc/passwd/x")) {
            PolicyException mine = assertThrows(PolicyException.class, () -> statx.resolve(p));
            assertEquals(assertThrows(PolicyException.class, () -> nio.resolve(p)).getMessage(), mine.getMessage());
        }
    }

    @Test
    void theDeviceIsInTheKernelsEncoding() throws Exception {
        Inode i = statx.resolve("/etc/passwd").orElseThrow();
        long userDev = (Long) Files.getAttribute(Path.of("/etc/passwd"), "unix:dev");
        assertEquals(Inode.kernelDev(userDev), i.dev());
    }

    private static String outcome(dev.twinlane.policy.PathResolver r, String path) {
        try {
            Optional<Inode> i = r.resolve(path);
            return i.map(Inode::toString).orElse("none");
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
