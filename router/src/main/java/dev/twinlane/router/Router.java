package dev.twinlane.router;

import java.util.ArrayList;
import java.util.List;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.RecordHandler;
import dev.twinlane.ingest.RecordView;
import dev.twinlane.ingest.Ring;
import dev.twinlane.ingest.RingBufferReader;
import dev.twinlane.observability.ObservabilityLane;
import dev.twinlane.security.SecurityLane;

/**
 * Reads each kernel ring on its own thread and hands every record to its
 * lane: security records to the security lane (waiting when it is full, so
 * the kernel, not the agent, counts what is lost), observability records to
 * the observability lane (which sheds, never waits) and, when a
 * {@link PromotionRule} matches, to the security lane too. A third thread turns
 * the kernel's drop counters into gap records. The two lanes share nothing.
 */
public final class Router implements AutoCloseable {
    private static final int BATCH = 4096;
    private static final long GAP_CHECK_MS = 100;

    private final KernelIngest kernel;
    private final SecurityLane security;
    private final ObservabilityLane observability;
    private final PromotionRule[] rules;
    private final List<Thread> threads = new ArrayList<>();
    private final Records.Tap tap;
    private volatile boolean running = true;
    private long promoted;

    public Router(KernelIngest kernel, SecurityLane security, ObservabilityLane observability,
            List<PromotionRule> rules, Records.Tap tap) {
        this.kernel = kernel;
        this.security = security;
        this.observability = observability;
        this.rules = rules.toArray(new PromotionRule[0]);
        this.tap = tap;
    }

    public Router start() {
        RingBufferReader sec = kernel.reader(Ring.SECURITY);
        RingBufferReader obs = kernel.reader(Ring.OBSERVABILITY);
        RecordHandler toSecurity = new RecordHandler() {
            @Override
            public void onRecord(RecordView r) {
                tap.accept(r);
                security.publish(r);
            }
        };
        RecordHandler toObservability = new RecordHandler() {
            @Override
            public void onRecord(RecordView r) {
                tap.accept(r);
                for (PromotionRule rule : rules) {
                    if (rule.matches(r)) {
                        promoted++;
                        security.publish(r);
                        break;
                    }
                }
                observability.offer(r);
            }
        };
        spawn("router-security", () -> loop(sec, toSecurity));
        spawn("router-observability", () -> loop(obs, toObservability));
        spawn("router-gaps", this::watchDrops);
        return this;
    }

    private void loop(RingBufferReader reader, RecordHandler handler) {
        while (running) {
            reader.poll(handler, 100, BATCH);
        }
        reader.drain(handler, Integer.MAX_VALUE);  // what the kernel committed before the stop
    }

    /** Kernel reservation failures become gap records (security) and loss counts (observability). */
    private void watchDrops() {
        long secSeen = kernel.drops(Ring.SECURITY);
        long obsSeen = kernel.drops(Ring.OBSERVABILITY);
        long since = KernelClock.bootNanos();
        while (running) {
            try {
                Thread.sleep(GAP_CHECK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = KernelClock.bootNanos();
            long sec = kernel.drops(Ring.SECURITY);
            if (sec > secSeen) {
                security.publishGap(Ring.SECURITY.id(), sec - secSeen, since, now);
                secSeen = sec;
            }
            long obs = kernel.drops(Ring.OBSERVABILITY);
            if (obs > obsSeen) {
                observability.reportKernelLoss(obs - obsSeen);
                obsSeen = obs;
            }
            since = now;
        }
    }

    private void spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        threads.add(t);
    }

    public long promoted() {
        return promoted;
    }

    /** Stops reading after draining what the kernel had committed. The lanes are closed by their owner. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
