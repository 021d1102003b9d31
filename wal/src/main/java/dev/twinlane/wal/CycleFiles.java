package dev.twinlane.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads Chronicle Queue cycle files (*.cq4) directly: a file is a run of documents, each a
 * 4-byte little-endian header (bit 31 not complete, bit 30 metadata, 30-bit length) then
 * its bytes, at 4-byte aligned positions; header 0 means "nothing written here yet" and
 * 0xC0000000 ends a rolled file. The verifier and the recovery use this instead of a tailer
 * so that a damaged or foreign file gives a clear error rather than whatever a memory-mapped
 * read of it does, and so that verifying never writes to the evidence.
 */
final class CycleFiles {
    static final String SUFFIX = ".cq4";
    static final int NOT_COMPLETE = 0x80000000;
    static final int META_DATA = 0x40000000;
    static final int LENGTH_MASK = 0x3FFFFFFF;
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    /** Longer than any of Chronicle's own documents (index arrays: 8 bytes per entry, at most 2^20 entries). */
    static final int MAX_INDEX = 16 << 20;

    private CycleFiles() {
    }

    /** Cycle files in cycle order (their names are fixed-width dates). */
    static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        Collections.sort(files);
        return files;
    }

    /**
     * Throws a one-line WalException unless {@code file} starts like a Chronicle Queue file.
     * Returns true for an unfinished file: its first header is still 0 or "not complete", as
     * when a writer was killed while creating it; such a file holds no records.
     */
    static boolean checkStart(Path file, String storeName) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 4) {
                return true;
            }
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 64)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            b.flip();
            int header = b.remaining() >= 4 ? b.getInt(0) : -1;
            if (header == NOT_COMPLETE || (header == 0 && allZero(b))) {
                return true;
            }
            String head = new String(b.array(), 0, b.limit(), StandardCharsets.ISO_8859_1);
            boolean ok = header != -1 && (header & META_DATA) != 0 && (header & NOT_COMPLETE) == 0
                    && (header & LENGTH_MASK) + 4L <= size && head.contains(storeName);
            if (!ok) {
                throw new WalException(file + " is not a Chronicle Queue file (no " + storeName + " header)");
            }
            return false;
        }
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = 0; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of the longest of Chronicle's own documents (header, index arrays) at the start
     * of {@code file}: the most a torn write of one of them can leave, whatever roll cycle made it.
     */
    static int largestIndex(Path file) throws IOException {
        int max = 0;
        try (Reader rd = new Reader(file, 0, 0)) {
            long pos = 0;
            for (int i = 0; i < 8; i++) {
                int h = rd.headerAt(pos);
                if (h == 0 || (h & META_DATA) == 0 || (h & NOT_COMPLETE) != 0) {
                    break;
                }
                int len = h & LENGTH_MASK;
                max = Math.max(max, Math.min(len, MAX_INDEX));
                pos = (pos + 4 + len + 3) & ~3L;
            }
        }
        return max;
    }

    /** One data document. */
    static final class Doc {
        final Path file;
        final long offset;
        final byte[] bytes;

        Doc(Path file, long offset, byte[] bytes) {
            this.file = file;
            this.offset = offset;
            this.bytes = bytes;
        }

        long end() {
            return offset + 4 + bytes.length;
        }
    }

    /**
     * Why a file's documents ended: nothing more written (header 0, or a header a writer never
     * completed), Chronicle's end-of-file marker, the end of the file, or a header whose length
     * no document can have (larger than the reader's limit): damaged bytes, never a torn write.
     */
    enum End { NOTHING_MORE, END_MARKER, FILE_END, BAD_LENGTH }

    /** Sequential reader over the data documents of one file, through a 1 MiB window. */
    static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer window = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final int maxDocument;
        private long windowStart = -1;
        private long pos;
        private End end;
        private int badLength;

        Reader(Path file, long startOffset) throws IOException {
            this(file, startOffset, LENGTH_MASK);
        }

        /**
         * A reader that takes a header claiming more than {@code maxDocument} bytes for a record
         * (or more than {@link #MAX_INDEX} for one of Chronicle's index documents) as the end of
         * the documents ({@link End#BAD_LENGTH}) instead of reading it: what the writer's recovery
         * uses, so that no length read from damaged bytes makes it read (or Chronicle map) that much.
         */
        Reader(Path file, long startOffset, int maxDocument) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            this.size = ch.size();
            this.pos = startOffset;
            this.maxDocument = maxDocument;
        }

        /** Next data document, or null at the end (see {@link #end()}, {@link #position()}). */
        Doc next() throws IOException {
            while (true) {
                pos = (pos + 3) & ~3L;
                if (pos + 4 > size) {
                    end = End.FILE_END;
                    return null;
                }
                int header = readInt(pos);
                if (header == 0) {
                    end = End.NOTHING_MORE;
                    return null;
                }
                if (header == END_OF_DATA) {
                    end = End.END_MARKER;
                    return null;
                }
                if ((header & NOT_COMPLETE) != 0) {
                    // Older Chronicle versions mark a document being written; treat it as torn.
                    end = End.NOTHING_MORE;
                    return null;
                }
                int len = header & LENGTH_MASK;
                if (len > ((header & META_DATA) != 0 ? Math.max(maxDocument, MAX_INDEX) : maxDocument)) {
                    end = End.BAD_LENGTH;
                    badLength = len;
                    return null;
                }
                if (pos + 4 + len > size) {
                    throw new WalException(file.getFileName() + ": document at offset " + pos + " needs "
                            + len + " bytes but the file ends at " + size + " (file cut short, or the header is damaged)");
                }
                long at = pos;
                pos += 4 + len;
                if ((header & META_DATA) != 0) {
                    continue; // Chronicle's own header and index arrays
                }
                byte[] bytes = new byte[len];
                read(at + 4, bytes);
                return new Doc(file, at, bytes);
            }
        }

        End end() {
            return end;
        }

        /** Where the next header would be written (at BAD_LENGTH: where the bad header is). */
        long position() {
            return pos;
        }

        /** The length the bad header claimed (after {@link End#BAD_LENGTH}). */
        int badLength() {
            return badLength;
        }

        long size() {
            return size;
        }

        Path file() {
            return file;
        }

        /** The header word at {@code at} (0 past the end of the file). */
        int headerAt(long at) throws IOException {
            return at + 4 > size ? 0 : readInt(at);
        }

        /** Offset of the first non-zero byte in [from, to), or -1; reads in 1 MiB steps. */
        long firstNonZero(long from, long to) throws IOException {
            long stop = Math.min(size, to);
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long p = Math.max(0, from); p < stop; ) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), stop - p));
                int n = ch.read(b, p);
                if (n <= 0) {
                    break;
                }
                byte[] a = b.array();
                for (int i = 0; i < n; i++) {
                    if (a[i] != 0) {
                        return p + i;
                    }
                }
                p += n;
            }
            return -1;
        }

        /** Number of bytes from {@code from} up to the last non-zero byte within {@code limit} bytes. */
        long dirtyBytesAfter(long from, int limit) throws IOException {
            long last = -1;
            long stop = Math.min(size, from + limit);
            byte[] chunk = new byte[8192];
            for (long p = from; p < stop; p += chunk.length) {
                int n = (int) Math.min(chunk.length, stop - p);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                ch.read(b, p);
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != 0) {
                        last = p + i;
                    }
                }
            }
            return last < 0 ? 0 : last - from + 1;
        }

        private int readInt(long at) throws IOException {
            ensure(at, 4);
            return window.getInt((int) (at - windowStart));
        }

        private void read(long at, byte[] dst) throws IOException {
            if (dst.length > window.capacity() / 2) {
                ByteBuffer b = ByteBuffer.wrap(dst);
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        throw new WalException(file.getFileName() + ": unexpected end of file at " + at);
                    }
                }
                return;
            }
            ensure(at, dst.length);
            window.get((int) (at - windowStart), dst);
        }

        private void ensure(long at, int len) throws IOException {
            if (windowStart >= 0 && at >= windowStart && at + len <= windowStart + window.limit()) {
                return;
            }
            window.clear();
            windowStart = at;
            while (window.hasRemaining()) {
                int n = ch.read(window, windowStart + window.position());
                if (n < 0) {
                    break;
                }
            }
            window.flip();
            if (window.limit() < len) {
                throw new WalException(file.getFileName() + ": unexpected end of file at " + at);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
