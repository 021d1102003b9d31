package dev.twinlane.siem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.twinlane.wal.KeyRing;

/**
 * The HMAC root keys of the hosts' security logs, for re-verifying every record. Read from the
 * same key files as `twinlane verify` (64 hex digits a line, '#' comments; refused when group or
 * others may read them: {@link KeyRing#load} checks that). Key id = the first four bytes
 * (little-endian) of SHA-256("twinlane-wal key id" || key), as the records name them.
 */
final class RootKeys {
    private static final byte[] ID_LABEL = "twinlane-wal key id".getBytes(StandardCharsets.US_ASCII);
    private final List<int[]> ids = new ArrayList<>();
    private final List<byte[]> secrets = new ArrayList<>();

    static RootKeys load(Path... files) throws IOException {
        KeyRing.load(files); // permissions and format, with the log's own one-line messages
        RootKeys k = new RootKeys();
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
                String t = line.trim();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    byte[] secret = HexFormat.of().parseHex(t);
                    k.ids.add(new int[] {idOf(secret)});
                    k.secrets.add(secret);
                }
            }
        }
        return k;
    }

    /** The root key with this id, or null. */
    byte[] byId(int id) {
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i)[0] == id) {
                return secrets.get(i);
            }
        }
        return null;
    }

    static int idOf(byte[] secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(ID_LABEL);
            byte[] d = md.digest(secret);
            return (d[0] & 0xFF) | (d[1] & 0xFF) << 8 | (d[2] & 0xFF) << 16 | (d[3] & 0xFF) << 24;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
