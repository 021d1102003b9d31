package dev.twinlane.wal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Reads records in order through a Chronicle tailer, stopping at the durable seq, so an
 * exporter ships nothing a crash could still take back. Does not check MACs (that is the
 * verifier's job). Reuses one buffer: a record's bytes are valid until the next call.
 */
public final class ChainReader implements AutoCloseable {
    private final ChainedLog log;
    private final ExcerptTailer tailer;
    private byte[] buf = new byte[1024];
    private int length;

    ChainReader(ChainedLog log, ExcerptTailer tailer) {
        this.log = log;
        this.tailer = tailer;
    }

    /** Advances to the next durable record; false when there is none yet. */
    public boolean next() {
        long durable = log.durableSeq();
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            Bytes<?> b = dc.wire().bytes();
            long seq = b.readLong(b.readPosition() + RecordFormat.OFF_SEQ);
            if (seq > durable) {
                dc.rollbackOnClose(); // read it again once it is durable
                return false;
            }
            length = (int) b.readRemaining();
            if (buf.length < length) {
                buf = new byte[Math.max(length, buf.length * 2)];
            }
            b.read(buf, 0, length);
            return true;
        }
    }

    public long seq() {
        return RecordFormat.getLong(buf, RecordFormat.OFF_SEQ);
    }

    public int kind() {
        return RecordFormat.getU16(buf, RecordFormat.OFF_KIND);
    }

    public long wallNanos() {
        return RecordFormat.getLong(buf, RecordFormat.OFF_WALL);
    }

    /** The record's bytes (header, payload, MAC) are {@code bytes()[0..length())}. */
    public byte[] bytes() {
        return buf;
    }

    public int length() {
        return length;
    }

    public int payloadOffset() {
        return RecordFormat.HEADER;
    }

    public int payloadLength() {
        return length - RecordFormat.OVERHEAD;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
