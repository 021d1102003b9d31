package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Key files: '#' comment lines, then one line of hex digits (the format of wal's seal keys). */
final class KeyFile {
    private KeyFile() {
    }

    static byte[] read(Path file, int bytes, String what) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                byte[] key = Hex.parse(t, bytes);
                if (key == null) {
                    throw new PolicyException(what + " " + file + ": expected " + bytes * 2 + " hex digits");
                }
                return key;
            }
            throw new PolicyException(what + " " + file + " holds no key");
        } catch (IOException e) {
            throw new PolicyException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a private key file that group or others may read or write: it could have been copied. */
    static void requirePrivate(Path file, String what) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new PolicyException(what + " " + file + " is accessible to group or others (mode "
                        + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
            }
        } catch (IOException e) {
            throw new PolicyException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, String comment, byte[] key, boolean secret) {
        AtomicFile.write(file, ("# " + comment + "\n" + Hex.of(key) + "\n").getBytes(StandardCharsets.US_ASCII),
                secret);
    }
}
