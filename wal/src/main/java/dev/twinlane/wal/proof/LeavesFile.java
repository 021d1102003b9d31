package dev.twinlane.wal.proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * DIR/merkle.leaves: the log's leaf hashes, append-only. A 64-byte header (32 bytes
 * "twinlane-merkle-leaves v1\n" padded with zeros, the 16-byte log id, 16 zero bytes), then
 * SHA-256(0x00 ‖ record) of record seq s at offset 64 + 32·(s - 1). Derived data: the writer
 * rebuilds it from the log whenever it disagrees with it.
 */
public final class LeavesFile {
    public static final String NAME = "merkle.leaves";
    public static final int HEADER = 64;
    private static final byte[] MAGIC = "twinlane-merkle-leaves v1\n".getBytes(StandardCharsets.US_ASCII);

    private LeavesFile() {
    }

    public static byte[] header(byte[] logId) {
        byte[] h = new byte[HEADER];
        System.arraycopy(MAGIC, 0, h, 0, MAGIC.length);
        System.arraycopy(logId, 0, h, 32, 16);
        return h;
    }

    /** The log id a header names, or null when {@code h} is not a leaves file header. */
    public static byte[] logId(byte[] h) {
        if (h.length < HEADER || !Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        for (int i = MAGIC.length; i < 32; i++) {
            if (h[i] != 0) {
                return null;
            }
        }
        return Arrays.copyOfRange(h, 32, 48);
    }

    /** Whole leaves in a file of {@code bytes} bytes. */
    public static long leaves(long bytes) {
        return Math.max(0, (bytes - HEADER) / MerkleTree.HASH);
    }

    /** Takes leaf hashes one by one; false stops the stream. */
    public interface Sink {
        boolean accept(byte[] buf, int off);
    }

    /**
     * Hands the first {@code n} leaves of a leaves file to {@code sink}, in order, reading 1 MiB
     * at a time; returns how many it handed over (fewer when the file ends early or the sink stops).
     */
    public static long stream(FileChannel ch, long n, Sink sink) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        long done = 0;
        while (done < n) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), (n - done) * MerkleTree.HASH));
            long at = HEADER + done * MerkleTree.HASH;
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) < 0) {
                    return done + b.position() / MerkleTree.HASH;
                }
            }
            for (int o = 0; o < b.limit(); o += MerkleTree.HASH) {
                if (!sink.accept(b.array(), o)) {
                    return done + o / MerkleTree.HASH;
                }
            }
            done += b.limit() / MerkleTree.HASH;
        }
        return done;
    }

    /** Leaf hashes read from a channel by position (a reader's view; thread-confined). */
    public static MerkleTree.Leaves reader(FileChannel ch) {
        return (index, count, dst) -> {
            ByteBuffer b = ByteBuffer.wrap(dst, 0, count * MerkleTree.HASH);
            long at = HEADER + index * MerkleTree.HASH;
            try {
                while (b.hasRemaining()) {
                    int n = ch.read(b, at + b.position());
                    if (n < 0) {
                        throw new IllegalStateException(NAME + " ends before leaf " + (index + count - 1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
