package dev.twinlane.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The exporter's persisted position in one log: every record up to {@code seq} of log
 * {@code logId} was acknowledged by the broker (acks=all). Written atomically (temporary file,
 * fsync, rename), so a crash leaves the old or the new cursor, never a torn one; it may lag the
 * truth, which only means the records after it are sent again (consumers drop them by seq).
 */
final class Cursor {
    private final Path file;

    Cursor(Path dir, String name) {
        this.file = dir.resolve(name + ".cursor");
    }

    Path file() {
        return file;
    }

    /** The seq to resume after, or 0 when there is no cursor or it belongs to another log. */
    long load(String logId) {
        if (!Files.exists(file)) {
            return 0;
        }
        Map<String, String> kv = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
            if (!logId.equals(kv.get("log-id"))) {
                System.getLogger("dev.twinlane.export").log(System.Logger.Level.WARNING, "export cursor " + file
                        + " belongs to log " + kv.get("log-id") + ", not " + logId + "; exporting this log from its start");
                return 0;
            }
            return Long.parseLong(kv.get("seq"));
        } catch (IOException | RuntimeException e) {
            System.getLogger("dev.twinlane.export").log(System.Logger.Level.WARNING, "export cursor " + file
                    + " is unreadable (" + e.getMessage() + "); exporting the log from its start");
            return 0;
        }
    }

    void save(String logId, long seq) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        byte[] text = ("# twinlane export cursor: every record up to seq was acknowledged by Kafka\nlog-id=" + logId
                + "\nseq=" + seq + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text));
            ch.force(false);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
