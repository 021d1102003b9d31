package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import dev.twinlane.wal.proof.RecordFormat;

/** What an attacker with write access to the files can do: read every record, write any queue. */
final class Tamper {
    private Tamper() {
    }

    static List<byte[]> records(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (ChainVerifier.Docs docs = new ChainVerifier.Docs(CycleFiles.list(dir), 0, 0)) {
            CycleFiles.Doc d;
            while ((d = docs.next()) != null) {
                out.add(d.bytes);
            }
        }
        return out;
    }

    /** Writes {@code records} as a fresh Chronicle queue in {@code dir}, as they are. */
    static void write(Path dir, List<byte[]> records) {
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
             ExcerptAppender a = q.createAppender()) {
            for (byte[] r : records) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(r);
                }
            }
        }
    }

    /** A record with the given fields and payload, MACed with {@code key} over {@code prevMac}. */
    static byte[] record(long seq, long wall, int epoch, int keyId, int kind, byte[] payload, byte[] prevMac, byte[] key) {
        byte[] d = new byte[RecordFormat.OVERHEAD + payload.length];
        RecordFormat.writeHeader(d, seq, wall, wall, epoch, keyId, kind, payload.length);
        System.arraycopy(payload, 0, d, RecordFormat.HEADER, payload.length);
        remac(d, prevMac, key);
        return d;
    }

    /** Recomputes the record's MAC in place. */
    static void remac(byte[] d, byte[] prevMac, byte[] key) {
        HmacSha256 h = new HmacSha256();
        h.init(key);
        h.update(prevMac, 0, 32);
        h.update(d, 0, d.length - 32);
        h.doFinal(d, d.length - 32);
    }

    /**
     * Rewrites records from index {@code from} on: {@code edit} may change a copy's header, then
     * it is re-MACed with {@code keyFor.apply(record)} chained from the (new) previous MAC.
     */
    static List<byte[]> rechain(List<byte[]> in, int from, java.util.function.Consumer<byte[]> edit,
                                java.util.function.Function<byte[], byte[]> keyFor) {
        List<byte[]> out = new ArrayList<>();
        byte[] prev = null;
        for (int i = 0; i < in.size(); i++) {
            byte[] d = in.get(i).clone();
            if (i >= from) {
                edit.accept(d);
                remac(d, prev, keyFor.apply(d));
            }
            out.add(d);
            prev = StoredRecord.mac(d);
        }
        return out;
    }
}
