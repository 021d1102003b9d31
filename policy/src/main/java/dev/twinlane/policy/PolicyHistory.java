package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The applied policy, the one before it and the version counter, in one state directory:
 * {@code current.policy}, {@code previous.policy} (each the bundle or file as applied) and
 * {@code version}. A new policy must be above the counter; {@link #rollback()} is the one
 * deliberate way back, restores the previous policy (verified again: a key removed since
 * then no longer vouches for it) and leaves the counter where it is, so the policy rolled
 * back from cannot be replayed later either.
 */
public final class PolicyHistory {
    private final Path current;
    private final Path previous;
    private final VersionCounter counter;
    private final BundleVerifier verifier;

    /** What a rollback did, with the line to print and record. */
    public record Rollback(VerifiedPolicy restored, long from, String message) {
    }

    public PolicyHistory(Path stateDir, BundleVerifier verifier) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new PolicyException("cannot create policy state directory " + stateDir + ": " + e.getMessage(), e);
        }
        this.current = stateDir.resolve("current.policy");
        this.previous = stateDir.resolve("previous.policy");
        this.counter = new VersionCounter(stateDir.resolve("version"));
        this.verifier = verifier;
    }

    /** Verifies {@code input} and checks its version: every refusal happens here, before any apply. */
    public VerifiedPolicy admit(String input, String source) {
        VerifiedPolicy p = verifier.verify(input, source);
        counter.requireAbove(p.version(), source);
        return p;
    }

    /**
     * After the apply: keeps the policy that was in force as the previous one, then this one,
     * then the counter last, so a crash in between can only allow the same apply again.
     */
    public void recordApplied(VerifiedPolicy p, String source) {
        counter.requireAbove(p.version(), source);
        read(current).ifPresent(text -> write(previous, text));
        write(current, p.input());
        counter.advance(p.version(), source);
    }

    /** The policy in force, for a restarted agent; verified again. */
    public Optional<VerifiedPolicy> current() {
        return read(current).map(text -> verifier.verify(text, current.toString()));
    }

    public long lastVersion() {
        return counter.last();
    }

    public Rollback rollback() {
        String prev = read(previous).orElseThrow(() -> new Refusal(Refusal.Reason.NO_PREVIOUS,
                "no previous policy to roll back to (" + previous + " does not exist; only one step back is kept)"));
        VerifiedPolicy restored = verifier.verify(prev, previous.toString());
        long from = currentVersion();
        write(current, prev);
        try {
            Files.delete(previous);
        } catch (IOException e) {
            throw new PolicyException("cannot remove " + previous + ": " + e.getMessage(), e);
        }
        return new Rollback(restored, from, "policy rolled back deliberately from version " + from + " to version "
                + restored.version() + "; the version counter stays at " + counter.last()
                + ", so the next policy applied must be above it");
    }

    /** The version in force, for the rollback's message: the counter when the current file no longer verifies. */
    private long currentVersion() {
        try {
            return current().map(VerifiedPolicy::version).orElse(counter.last());
        } catch (PolicyException e) { // e.g. its key was removed: a reason to roll back, not to refuse it
            return counter.last();
        }
    }

    private static Optional<String> read(Path f) {
        try {
            return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new PolicyException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path f, String text) {
        AtomicFile.write(f, text.getBytes(StandardCharsets.UTF_8), false);
    }
}
