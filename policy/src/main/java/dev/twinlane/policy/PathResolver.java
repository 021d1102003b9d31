package dev.twinlane.policy;

import java.util.Optional;

/**
 * Turns the paths of inode rules into inodes at compile time. A separate step, because it
 * depends on the host at the moment of apply (the same policy resolves differently after a
 * file is replaced), and so that tests can compile policies for files they do not have.
 */
public interface PathResolver {
    /** The inode {@code path} leads to now (symbolic links followed), or empty when there is none. */
    Optional<Inode> resolve(String path);
}
