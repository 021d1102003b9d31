package dev.twinlane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.lmax.disruptor.BlockingWaitStrategy;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * Ticks reach the sink on the lane's own thread, in order with the records, and never count as
 * records: the log's timed seal is written by its only writer (ChainAppender takes no lock).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityLaneTickTest {
    @Test
    void aTickReachesTheSinkOnTheLaneThreadBetweenRecords() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        SecuritySink sink = threadNamesInto(seen);
        SecurityLane lane = new SecurityLane(1024, new BlockingWaitStrategy(), sink).start();
        byte[] r = new byte[RecordKind.FILE_OPEN.size()];
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) RecordKind.FILE_OPEN.code()).putShort(2, (short) r.length);
        RecordView view = new RecordView().wrap(r, 0, r.length);
        lane.publish(view);
        lane.tick();   // skipped: a record is pending, and its append seals by itself
        lane.endBatch();
        lane.tick();
        lane.publish(view);
        lane.endBatch();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        lane.close();
        assertEquals(List.of("record security-lane", "tick security-lane", "record security-lane"), seen);
        assertEquals(2, lane.appended(), "ticks are not records");
        assertTrue(lane.losses().isEmpty());
    }

    @Test
    void inlineTicksAndRecordsReachTheSinkOnThePublishersThreadInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        SecuritySink sink = threadNamesInto(seen);
        SecurityLane lane = SecurityLane.inline(sink).start();
        byte[] r = new byte[RecordKind.FILE_OPEN.size()];
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) RecordKind.FILE_OPEN.code()).putShort(2, (short) r.length);
        RecordView view = new RecordView().wrap(r, 0, r.length);
        String me = Thread.currentThread().getName();
        lane.publish(view);
        assertEquals(List.of("record " + me), seen, "appended before publish returned");
        lane.tick();
        lane.publish(view);
        lane.endBatch();
        lane.close();
        assertEquals(List.of("record " + me, "tick " + me, "record " + me), seen);
        assertEquals(2, lane.appended(), "ticks are not records");
        assertEquals(0, lane.backlog());
        assertTrue(lane.losses().isEmpty());
    }

    /** A sink that notes each record and tick with the name of the thread it came on. */
    private static SecuritySink threadNamesInto(List<String> seen) {
        return new SecuritySink() {
            @Override
            public void append(SecurityEvent e) {
                seen.add("record " + Thread.currentThread().getName());
            }

            @Override
            public void tick() {
                seen.add("tick " + Thread.currentThread().getName());
            }
        };
    }
}
