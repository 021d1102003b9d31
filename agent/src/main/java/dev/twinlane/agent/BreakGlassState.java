package dev.twinlane.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * When the break-glass in force ends, kept in the policy state directory (file {@code break-glass},
 * one line: the token's expiry in Unix seconds). The audit mode it switched to is pinned with the
 * maps and outlives the agent; without this file a restarted agent would keep that audit mode for
 * ever. A break-glass always replaces enforce, so the expiry is all there is to keep.
 */
final class BreakGlassState {
    static final String FILE = "break-glass";
    private final Path file;

    BreakGlassState(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** Written, synced and renamed into place before the audit mode is reported as in force. */
    void save(Instant until) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(StandardCharsets.US_ASCII.encode(until.getEpochSecond() + "\n"));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * The expiry kept, if any. A file that cannot be read as one is taken as already expired
     * (enforce comes back), never as a break-glass without end.
     */
    Optional<Instant> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(Files.readString(file).strip())));
        } catch (IOException | NumberFormatException | java.time.DateTimeException e) {
            return Optional.of(Instant.EPOCH);
        }
    }

    Path path() {
        return file;
    }
}
