package dev.twinlane.bench.router;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;

/** A fixed mix of well-formed records, the shapes the kernel sends most: syscall samples and a few execs. */
final class SampleRecords {
    static final int COUNT = 1024;

    private SampleRecords() {
    }

    /** Record i of the mix; every 64th is an exec (security), the rest syscall samples (observability). */
    static byte[][] mix() {
        byte[][] out = new byte[COUNT][];
        for (int i = 0; i < COUNT; i++) {
            RecordKind k = i % 64 == 0 ? RecordKind.EXEC : RecordKind.SYSCALL;
            ByteBuffer b = ByteBuffer.allocate(k.size()).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(0, (short) k.code()).putShort(2, (short) k.size());
            b.putInt(RecordLayout.HEADER.field("tgid").offset(), 1000 + i % 17);
            if (k == RecordKind.SYSCALL) {
                b.putLong(RecordLayout.SYSCALL.field("ret").offset(), i % 5 == 0 ? -1 : 0);
                b.putInt(RecordLayout.SYSCALL.field("nr").offset(), i % 40);
                b.putLong(RecordLayout.SYSCALL.field("latency_ns").offset(), 100 + i);
            }
            out[i] = b.array();
        }
        return out;
    }
}
