package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The highest policy version ever applied, persisted (write, fsync, rename, fsync the
 * directory), so that an old signed bundle, still validly signed, cannot be replayed to
 * weaken the policy: only a version above it is accepted, even across restarts.
 */
public final class VersionCounter {
    private static final String HEADER = "# twinlane: highest applied policy version\n";

    private final Path file;

    public VersionCounter(Path file) {
        this.file = file;
    }

    /** 0 before the first apply. A damaged file is an error, never a reset to 0. */
    public long last() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new PolicyException("cannot read the policy version counter " + file + ": " + e.getMessage(), e);
        }
        if (!text.startsWith(HEADER) || !text.substring(HEADER.length()).matches("[0-9]{1,18}\n")) {
            throw new PolicyException("the policy version counter " + file + " is damaged; refusing to guess the last"
                    + " applied version (restore it, or write the highest version you applied)");
        }
        return Long.parseLong(text.substring(HEADER.length()).trim());
    }

    /** Refuses a version that is not above the last applied one: a replay or a rollback. */
    public void requireAbove(long version, String source) {
        long last = last();
        if (version <= last) {
            throw new Refusal(Refusal.Reason.NOT_NEWER, source + ": policy version " + version + " is not above the"
                    + " last applied version " + last + (version == last ? " (a replay)" : " (a rollback)")
                    + "; refused (to go back deliberately, use policy rollback)");
        }
    }

    /** Records {@code version} as applied; it must be above the last. */
    public void advance(long version, String source) {
        requireAbove(version, source);
        AtomicFile.write(file, (HEADER + version + "\n").getBytes(StandardCharsets.US_ASCII), false);
    }
}
