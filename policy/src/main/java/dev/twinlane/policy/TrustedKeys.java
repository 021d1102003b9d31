package dev.twinlane.policy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The public keys trusted to sign policies: every {@code *.pub} file of one directory. A
 * directory others may write to, or one holding symbolic links, is refused whole: either
 * would let someone who is not root add a key (AegisBPF's key-directory rule).
 */
public final class TrustedKeys {
    private final Map<String, TrustedKey> byId;

    private TrustedKeys(Map<String, TrustedKey> byId) {
        this.byId = byId;
    }

    public static TrustedKeys of(TrustedKey... keys) {
        Map<String, TrustedKey> m = new TreeMap<>();
        for (TrustedKey k : keys) {
            m.put(k.id(), k);
        }
        return new TrustedKeys(m);
    }

    public static TrustedKeys load(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) {
                throw unsafe("trusted-key directory " + dir + " is a symbolic link; name the real directory");
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new PolicyException("trusted-key directory " + dir + " does not exist or is not a directory");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw unsafe("trusted-key directory " + dir + " is writable by group or others (mode "
                        + PosixFilePermissions.toString(perms) + "); run: chmod go-w " + dir);
            }
            Map<String, TrustedKey> m = new TreeMap<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path e : entries) {
                    if (Files.isSymbolicLink(e)) {
                        throw unsafe("trusted-key directory " + dir + " holds a symbolic link, " + e.getFileName()
                                + "; keys must be plain files there");
                    }
                    if (e.getFileName().toString().endsWith(".pub") && Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS)) {
                        TrustedKey k = TrustedKey.of(KeyFile.read(e, Ed25519.PUBLIC_KEY_SIZE, "trusted key"));
                        m.put(k.id(), k);
                    }
                }
            }
            return new TrustedKeys(m);
        } catch (IOException e) {
            throw new PolicyException("cannot read trusted-key directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public Optional<TrustedKey> get(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    public Collection<TrustedKey> all() {
        return byId.values();
    }

    private static Refusal unsafe(String message) {
        return new Refusal(Refusal.Reason.UNSAFE_KEY_DIRECTORY, message);
    }
}
