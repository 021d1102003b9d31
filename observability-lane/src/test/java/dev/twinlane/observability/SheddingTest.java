package dev.twinlane.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/** Under overload the lane sheds, never waits, and every record is either in a batch or counted as shed. */
class SheddingTest {
    @Test
    void everyOfferedRecordIsEitherAggregatedOrCountedAsShed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong inBatches = new AtomicLong();
        ObjectMapper json = new ObjectMapper();
        ObservabilityLane lane = new ObservabilityLane(new ObservabilityLane.Settings().ringSize(1024).windowMs(20),
                (bytes, n, start) -> {
                    release.await();
                    inBatches.addAndGet(json.readTree(new String(bytes, 0, n, "UTF-8")).get("records").asLong());
                }).start();
        ByteBuffer b = ByteBuffer.allocate(RecordKind.FORK.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) RecordKind.FORK.code()).putShort(2, (short) RecordKind.FORK.size());
        RecordView view = new RecordView().wrap(b.array(), 0, b.capacity());
        int offered = 200_000;
        long start = System.nanoTime();
        for (int i = 0; i < offered; i++) {
            lane.offer(view);
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        release.countDown();
        lane.close();
        assertTrue(lane.shedFull() > 0 && lane.shedSampled() > 0, "both shedding modes happened");
        assertEquals(offered, lane.accepted() + lane.shed(), "accepted + shed = offered");
        assertEquals(lane.accepted(), inBatches.get(), "every accepted record is counted in a batch");
        assertTrue(tookMs < 10_000, "offer never waited on the stalled sink");
    }

    @Test
    void aRecordLongerThanAnEntryIsShedNotCopied() throws Exception {
        // an exec record (880 bytes) is longer than an entry (256): copying it overran the entry's
        // array and crashed the JVM (found by ObservabilityHandoverBenchmark)
        ObservabilityLane lane = new ObservabilityLane(new ObservabilityLane.Settings().ringSize(1024),
                (bytes, n, start) -> { }).start();
        ByteBuffer b = ByteBuffer.allocate(RecordKind.EXEC.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) RecordKind.EXEC.code()).putShort(2, (short) RecordKind.EXEC.size());
        RecordView view = new RecordView().wrap(b.array(), 0, b.capacity());
        for (int i = 0; i < 1000; i++) {
            assertEquals(false, lane.offer(view));
        }
        lane.close();
        assertEquals(1000, lane.shedFull());
        assertEquals(0, lane.accepted());
    }
}
