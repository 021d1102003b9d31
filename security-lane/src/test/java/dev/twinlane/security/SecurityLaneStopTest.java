package dev.twinlane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.lmax.disruptor.BlockingWaitStrategy;

import dev.twinlane.records.LossSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * The lane's stop is bounded: a sink that keeps failing (a full disk) is retried in order while
 * the agent runs, and at a stop for {@link SecurityLane#STOP_GRACE_NS} more; then what the lane
 * holds, and what the publisher still hands it, is counted by source and boot-time span instead
 * of appended, so the publisher never waits for ever. A sink that recovers loses nothing.
 * Both ways of running the lane: its own thread, and inline on the publisher's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityLaneStopTest {
    private final RecordView view = new RecordView();
    private final byte[] record = new byte[RecordKind.FILE_OPEN.size()];

    private void publish(SecurityLane lane, long ktime) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) RecordKind.FILE_OPEN.code());
        b.putShort(2, (short) record.length);
        b.putLong(8, ktime);
        lane.publish(view.wrap(record, 0, record.length));
    }

    enum Mode {
        THREAD, INLINE;

        SecurityLane lane(int ringSize, SecuritySink sink) {
            return (this == THREAD ? new SecurityLane(ringSize, new BlockingWaitStrategy(), sink)
                    : SecurityLane.inline(sink)).start();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aStopOnAFailingSinkIsBoundedAndCountsWhatTheLaneHeldBySourceAndSpan(Mode mode) throws Exception {
        SecuritySink full = e -> {
            throw new IOException("No space left on device (test)");
        };
        SecurityLane lane = mode.lane(1024, full);
        CountDownLatch stopBegun = new CountDownLatch(1);
        // The router's thread: inline, its first publish is stuck in the sink's retries until the stop.
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < 500; i++) {
                publish(lane, 1_000 + i);
            }
            lane.publishGap(LossSource.SECURITY_RING, 77, 10, 20);   // kernel drops whose GAP record cannot be written
            lane.endBatch();
            try {
                stopBegun.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 2_000; i++) {   // more than the ring holds: without the bound this would wait for ever
                publish(lane, 5_000 + i);
            }
            lane.endBatch();
        }, "publisher");
        publisher.start();
        Thread.sleep(300);
        assertNotNull(lane.failing(), "the lane reports the failing sink");
        assertTrue(lane.failing().problem().contains("No space left"), lane.failing().problem());

        long t0 = System.nanoTime();
        lane.beginStop();
        stopBegun.countDown();
        publisher.join();
        lane.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < SecurityLane.STOP_GRACE_NS / 1e9 + 2, "stop took " + seconds + " s");
        assertEquals(0, lane.appended());
        List<Loss> losses = lane.losses();
        assertEquals(List.of(new Loss(LossSource.SECURITY_RING, 77, 10, 20),
                new Loss(SecurityLane.LOSS_RING, 2_500, 1_000, 6_999)), losses);
        assertEquals(2_500, lane.lost());
        System.out.printf("security lane (%s): stop on a failing sink took %.2f s; losses %s%n", mode, seconds, losses);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aSinkThatRecoversLosesNothingAndKeepsTheOrder(Mode mode) throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        long[] seen = new long[300];
        AtomicInteger n = new AtomicInteger();
        SecuritySink flaky = e -> {
            if (attempts.incrementAndGet() <= 5) {
                throw new IOException("No space left on device (test)");
            }
            seen[n.getAndIncrement()] = e.ktimeNs();
        };
        SecurityLane lane = mode.lane(256, flaky);
        for (int i = 0; i < 300; i++) {
            publish(lane, 1 + i);
        }
        lane.endBatch();
        lane.close();
        assertEquals(300, lane.appended());
        assertEquals(5, lane.failures());
        assertNull(lane.failing(), "appends resumed");
        assertTrue(lane.losses().isEmpty(), lane.losses().toString());
        for (int i = 0; i < 300; i++) {
            assertEquals(1 + i, seen[i], "in order, nothing skipped");
        }
    }
}
