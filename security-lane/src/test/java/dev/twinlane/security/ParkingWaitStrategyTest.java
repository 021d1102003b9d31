package dev.twinlane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.RingBuffer;

/**
 * No publish is slept through: a consumer that missed one would stay parked (no timeout
 * rescues it) and the count would stop short. Batches of random size, with random pauses so
 * that the consumer parks between many of them; halting wakes it too.
 */
class ParkingWaitStrategyTest {
    private static final class Box {
        long value;
    }

    @Test
    void everyPublishReachesAParkedConsumerAndHaltWakesIt() throws Exception {
        int events = 300_000;
        RingBuffer<Box> ring = RingBuffer.createSingleProducer(Box::new, 1024, new ParkingWaitStrategy());
        AtomicLong sum = new AtomicLong();
        AtomicLong seen = new AtomicLong();
        BatchEventProcessor<Box> processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(),
                (e, seq, end) -> {
                    sum.lazySet(sum.get() + e.value);
                    seen.lazySet(seen.get() + 1);
                });
        ring.addGatingSequences(processor.getSequence());
        Thread consumer = new Thread(processor, "parking-consumer");
        consumer.start();
        Random random = new Random(42);
        long expected = 0;
        int pauses = 0;
        for (int i = 0; i < events; ) {
            int n = Math.min(1 + random.nextInt(16), events - i);
            long hi = ring.next(n);
            for (long s = hi - n + 1; s <= hi; s++) {
                ring.get(s).value = s;
                expected += s;
            }
            ring.publish(hi - n + 1, hi);
            i += n;
            if (random.nextInt(64) == 0) {
                LockSupport.parkNanos(200_000); // the consumer catches up and parks
                pauses++;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.get() < events && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(events, seen.get(), "a publish was slept through");
        assertEquals(expected, sum.get());
        processor.halt();
        consumer.join(5000);
        assertFalse(consumer.isAlive(), "halt woke the parked consumer");
        System.out.println("parking wait strategy: " + events + " events, " + pauses
                + " pauses, none slept through; halt woke the consumer");
    }
}
