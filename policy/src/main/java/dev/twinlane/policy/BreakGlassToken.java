package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A break-glass token, {@code <unix seconds>:<Ed25519 signature, 128 hex digits>}, that lets
 * an operator drop enforcement to audit-only for 24 h after it was issued. The signature
 * covers {@code "twinlane-break-glass\n" + seconds}, never a bundle's bytes, so no other
 * signature made with a policy key can pass as a token. Any trusted policy key may sign it.
 */
public record BreakGlassToken(Instant issued, Instant expires, String keyId) {
    public static final Duration LIFETIME = Duration.ofHours(24);

    public static String create(SigningKey key, Instant issued) {
        long t = issued.getEpochSecond();
        return t + ":" + Hex.of(key.sign(message(t)));
    }

    /** The token in force, or a {@link Refusal} (BAD_TOKEN, EXPIRED_TOKEN) in one line. */
    public static BreakGlassToken verify(String token, TrustedKeys keys, Clock clock) {
        String t = token.strip();
        int colon = t.indexOf(':');
        byte[] sig = colon < 0 ? null : Hex.parse(t.substring(colon + 1), 64);
        if (colon < 1 || !t.substring(0, colon).matches("[0-9]{1,18}") || sig == null) {
            throw new Refusal(Refusal.Reason.BAD_TOKEN, "break-glass token refused: it is not"
                    + " '<unix seconds>:<128 hex digits>'");
        }
        long seconds = Long.parseLong(t.substring(0, colon));
        TrustedKey signer = keys.all().stream().filter(k -> k.verifies(message(seconds), sig)).findFirst()
                .orElseThrow(() -> new Refusal(Refusal.Reason.BAD_TOKEN, "break-glass token refused: no trusted key"
                        + " signed it"));
        Instant issued = Instant.ofEpochSecond(seconds);
        Instant now = clock.instant();
        if (issued.isAfter(now.plus(Whitelist.CLOCK_SKEW))) {
            throw new Refusal(Refusal.Reason.BAD_TOKEN, "break-glass token refused: it is issued in the future ("
                    + issued + ")");
        }
        if (!now.isBefore(issued.plus(LIFETIME))) {
            throw new Refusal(Refusal.Reason.EXPIRED_TOKEN, "break-glass token refused: it expired at "
                    + issued.plus(LIFETIME) + " (valid 24 h from " + issued + ")");
        }
        return new BreakGlassToken(issued, issued.plus(LIFETIME), signer.id());
    }

    /** Reads a token file, refusing one that group or others could have written. */
    public static BreakGlassToken verifyFile(Path file, TrustedKeys keys, Clock clock) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new Refusal(Refusal.Reason.BAD_TOKEN, "break-glass token " + file + " refused: it is writable"
                        + " by group or others (mode " + PosixFilePermissions.toString(perms) + ")");
            }
            return verify(Files.readString(file, StandardCharsets.US_ASCII), keys, clock);
        } catch (IOException e) {
            throw new PolicyException("cannot read break-glass token " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] message(long seconds) {
        return ("twinlane-break-glass\n" + seconds).getBytes(StandardCharsets.US_ASCII);
    }
}
