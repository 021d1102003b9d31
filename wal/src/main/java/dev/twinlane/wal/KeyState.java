package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The writer's key state file: log id, root key id, epoch and K_epoch, nothing older. The writer
 * starts from it and rewrites it (temp file, fsync, rename, fsync dir) before every evolution,
 * so the root key can stay off the writer's host; a copy stolen today derives no earlier key.
 * Text, one field a line, mode 600, owned by root:
 * <pre>
 * log 0123...(32 hex)
 * key-id 89abcdef
 * epoch 7
 * key 0123...(64 hex)
 * </pre>
 */
final class KeyState {
    static final String FILE = "key.state";
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final Path file;
    final byte[] logId;
    final EpochKeys keys;

    private KeyState(Path file, byte[] logId, EpochKeys keys) {
        this.file = file;
        this.logId = logId;
        this.keys = keys;
    }

    int epoch() {
        return keys.epoch();
    }

    int keyId() {
        return keys.keyId();
    }

    /** Reads a state file that only root may read or write (else one-line refusal). */
    static KeyState load(Path file) {
        KeyFiles.requirePrivate(file, true);
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new WalException("cannot read key state file " + file + ": " + e.getMessage());
        }
        String what = "key state file " + file;
        byte[] logId = null;
        Integer keyId = null;
        Integer epoch = null;
        byte[] key = null;
        try {
            for (String line : new String(raw, StandardCharsets.US_ASCII).split("\n")) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                int sp = t.indexOf(' ');
                String name = sp < 0 ? t : t.substring(0, sp);
                String value = sp < 0 ? "" : t.substring(sp + 1).trim();
                switch (name) {
                    case "log" -> logId = KeyFiles.unhex(value, 16, what + " (log)");
                    case "key-id" -> {
                        KeyFiles.unhex(value, 4, what + " (key-id)"); // 8 hex digits, as KeyRing.idHex writes them
                        keyId = Integer.parseUnsignedInt(value, 16);
                    }
                    case "epoch" -> {
                        try {
                            epoch = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new WalException(what + ": epoch is not a number");
                        }
                        if (epoch < 0) {
                            throw new WalException(what + ": negative epoch");
                        }
                    }
                    case "key" -> key = KeyFiles.unhex(value, 32, what + " (key)");
                    default -> throw new WalException(what + ": unknown line '" + name + "'");
                }
            }
            if (logId == null || keyId == null || epoch == null || key == null) {
                throw new WalException(what + " is incomplete (needs the lines log, key-id, epoch and key)");
            }
            EpochKeys k = new EpochKeys();
            k.startAt(keyId, epoch, key);
            return new KeyState(file, logId, k);
        } finally {
            Arrays.fill(raw, (byte) 0);
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** Writes (log id, key id, epoch, key) atomically and durably, mode 600. */
    static void write(Path file, byte[] logId, EpochKeys k) throws IOException {
        byte[] head = ("# twinlane-wal key state: the writer's current epoch key (not the root key; keep that off this host)\n"
                + "log " + KeyFiles.hex(logId) + "\nkey-id " + KeyRing.idHex(k.keyId()) + "\nepoch " + k.epoch() + "\nkey ")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + 2 * HmacSha256.LENGTH + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        byte[] key = k.key();
        for (int i = 0; i < key.length; i++) {
            out[head.length + 2 * i] = HEX[(key[i] >> 4) & 0xf];
            out[head.length + 2 * i + 1] = HEX[key[i] & 0xf];
        }
        out[out.length - 1] = '\n';
        try {
            KeyFiles.writeAtomically(file, out, true);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }
}
