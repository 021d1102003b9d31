package dev.twinlane.policy;

import java.util.Optional;

/**
 * A policy that passed verification: its parsed form, the input it came from (kept on disk
 * for rollback), and the key that signed it (empty for an unsigned policy, accepted only
 * where signatures are not required).
 */
public record VerifiedPolicy(PolicyFile policy, String input, Optional<String> keyId) {
    public long version() {
        return policy.version();
    }

    public boolean signed() {
        return keyId.isPresent();
    }
}
