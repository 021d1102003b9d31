package dev.twinlane.security;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * Blocks the one consumer of a ring (the security lane's thread) with park/unpark: a woken
 * consumer returns from one futex wait. Disruptor's BlockingWaitStrategy goes through a monitor
 * (notifyAll, then the waiter re-enters the monitor the publisher holds), which costs a second
 * handoff between the two threads on every wake. Costs nothing while idle, like blocking.
 *
 * Only for a ring with a single waiting consumer; the publisher pays one full fence per
 * publish (once per batch), the Dekker pairing with the consumer's announcement below.
 */
public final class ParkingWaitStrategy implements WaitStrategy {
    private volatile Thread waiter;

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException {
        if (cursor.get() < sequence) {
            // Announce before the last look: the publisher stores the cursor, fences, then reads
            // waiter; we store waiter (a volatile store: a full fence on x86), then read the cursor.
            // One of the two sees the other's store, so a publish is never slept through.
            waiter = Thread.currentThread();
            try {
                while (cursor.get() < sequence) {
                    barrier.checkAlert();
                    LockSupport.park(this);
                }
            } finally {
                waiter = null;
            }
        }
        long available;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            Thread.onSpinWait();
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        VarHandle.fullFence(); // the cursor store before the read of waiter
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
