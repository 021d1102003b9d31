package dev.twinlane.policy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Whitelist entries signed with ECDSA P-256 that expire 24 h after they were issued (seed
 * 003): one entry a line, {@code <issued unix seconds> <signature, 128 hex digits> <path>},
 * the path last so it may hold spaces. The signature covers
 * {@code "twinlane-whitelist-v1\n" + issued + "\n" + path}. Entries that are expired, not yet
 * valid, badly signed or malformed are not taken, and are returned in the report instead.
 */
public final class Whitelist {
    public static final Duration LIFETIME = Duration.ofHours(24);
    /** How far a signer's clock may run ahead of ours. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final byte[] publicKey;
    private final Clock clock;

    public Whitelist(byte[] publicKey, Clock clock) {
        if (publicKey.length != P256.PUBLIC_KEY_SIZE || !P256.isPoint(publicKey)) {
            throw new PolicyException("a whitelist key is an uncompressed P-256 point (65 bytes, 04 first)");
        }
        this.publicKey = publicKey.clone();
        this.clock = clock;
    }

    public static Whitelist load(Path publicKeyFile, Clock clock) {
        return new Whitelist(KeyFile.read(publicKeyFile, P256.PUBLIC_KEY_SIZE, "whitelist public key"), clock);
    }

    /** Writes a new key pair for signing entries: the private file mode 600. Returns the public key. */
    public static byte[] generateKey(Path privateFile, Path publicFile) {
        byte[][] pair = P256.generate();
        KeyFile.write(privateFile, "twinlane whitelist signing key (ECDSA P-256, private)", pair[0], true);
        KeyFile.write(publicFile, "twinlane whitelist key (ECDSA P-256, public)", pair[1], false);
        return pair[1];
    }

    /** The private key of {@link #generateKey}, for {@link #sign}; refused when group or others may read it. */
    public static byte[] loadPrivateKey(Path privateFile) {
        KeyFile.requirePrivate(privateFile, "whitelist signing key");
        return KeyFile.read(privateFile, P256.PRIVATE_KEY_SIZE, "whitelist signing key");
    }

    /** One entry line for {@code path}, signed with the private key (32 bytes). */
    public static String sign(byte[] privateKey, String path, Instant issued) {
        long t = issued.getEpochSecond();
        return t + " " + Hex.of(P256.sign(privateKey, message(t, path))) + " " + path;
    }

    public WhitelistReport read(String text) {
        Instant now = clock.instant();
        List<WhitelistEntry> ok = new ArrayList<>();
        List<WhitelistReport.Rejected> bad = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ", 3);
            byte[] sig = f.length == 3 ? Hex.parse(f[1], P256.SIGNATURE_SIZE) : null;
            String problem = f.length < 3 || !f[0].matches("[0-9]{1,18}") || sig == null
                    ? "is not '<issued unix seconds> <128 hex digits> <path>'"
                    : PolicyParser.pathProblem(f[2], PolicyParser.PATH_MAX);
            if (problem != null) {
                bad.add(reject(i, line, WhitelistReport.Reason.MALFORMED, problem));
                continue;
            }
            long t = Long.parseLong(f[0]);
            Instant issued = Instant.ofEpochSecond(t);
            Instant expires = issued.plus(LIFETIME);
            if (!P256.verify(publicKey, message(t, f[2]), sig)) {
                bad.add(reject(i, line, WhitelistReport.Reason.BAD_SIGNATURE, "is not signed by the whitelist key"));
            } else if (!now.isBefore(expires)) {
                bad.add(reject(i, line, WhitelistReport.Reason.EXPIRED, "expired at " + expires));
            } else if (issued.isAfter(now.plus(CLOCK_SKEW))) {
                bad.add(reject(i, line, WhitelistReport.Reason.NOT_YET_VALID, "is issued in the future (" + issued
                        + ")"));
            } else {
                ok.add(new WhitelistEntry(f[2], issued, expires, i + 1));
            }
        }
        return new WhitelistReport(ok, bad);
    }

    private static WhitelistReport.Rejected reject(int index, String line, WhitelistReport.Reason reason, String why) {
        return new WhitelistReport.Rejected(index + 1, line, reason, "whitelist line " + (index + 1) + " ignored: it "
                + why);
    }

    private static String message(long issued, String path) {
        return "twinlane-whitelist-v1\n" + issued + "\n" + path;
    }
}
