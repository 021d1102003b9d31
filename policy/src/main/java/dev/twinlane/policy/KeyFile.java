package dev.twinlane.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    static void write(Path file, String comment, byte[] key, boolean secret) {
        AtomicFile.write(file, ("# " + comment + "\n" + Hex.of(key) + "\n").getBytes(StandardCharsets.US_ASCII),
                secret);
    }
}
