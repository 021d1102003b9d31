package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * When the break-glass in force ends, kept in the policy state directory beside the version
 * counter (file {@code break-glass}, one line: the token's expiry in Unix seconds). The audit mode
 * it switched to is pinned with the maps and outlives the agent; without this file a restarted
 * agent would keep that audit mode for ever. A break-glass always replaces enforce, so the expiry
 * is all there is to keep.
 */
public final class BreakGlassState {
    public static final String FILE = "break-glass";
    private final Path file;

    public BreakGlassState(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** Replaced atomically and durably (AtomicFile) before the audit mode is put in force. */
    public void save(Instant until) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new PolicyException("cannot write " + file + ": " + e.getMessage(), e);
        }
        AtomicFile.write(file, (until.getEpochSecond() + "\n").getBytes(StandardCharsets.US_ASCII), false);
    }

    public void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * The expiry kept, if any. A file that cannot be read as one is taken as already expired
     * (enforce comes back), never as a break-glass without end.
     */
    public Optional<Instant> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(Files.readString(file).strip())));
        } catch (IOException | NumberFormatException | java.time.DateTimeException e) {
            return Optional.of(Instant.EPOCH);
        }
    }

    public Path path() {
        return file;
    }
}
