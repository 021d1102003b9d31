package dev.twinlane.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves paths on this host with stat. Symbolic links are followed: the kernel's hooks see
 * the inode a link leads to, so a rule on the link's own inode would never match. For a
 * cgroup v2 directory the inode number is the cgroup id.
 */
public final class FileSystemResolver implements PathResolver {
    @Override
    public Optional<Inode> resolve(String path) {
        try {
            // One stat for both: a getAttribute per attribute is a stat per attribute.
            Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:ino,dev");
            return Optional.of(new Inode((Long) a.get("ino"), Inode.kernelDev((Long) a.get("dev"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            throw new PolicyException("cannot stat " + path + ": " + e.getMessage());
        }
    }
}
