package dev.twinlane.router;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.RecordHandler;
import dev.twinlane.ingest.Ring;
import dev.twinlane.ingest.RingBufferReader;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.ingest.WakeupPolicy;
import dev.twinlane.observability.ObservabilityLane;
import dev.twinlane.security.SecurityLane;

/**
 * Reads each kernel ring on its own thread and hands every record to its
 * lane: security records to the security lane (waiting when it is full, so
 * the kernel, not the agent, counts what is lost), observability records to
 * the observability lane (which sheds, never waits) and, when a
 * {@link PromotionRule} matches, to the security lane too. The security thread
 * is the security lane's only publisher: it also turns the kernel's drop
 * counters into gap records and publishes promotions handed over by the
 * observability thread. The two lanes share nothing.
 */
public final class Router implements AutoCloseable {
    private static final int BATCH = 4096;
    private static final long GAP_CHECK_NS = 100_000_000L;
    /** Longest sleep of a reader woken per record, before it looks at promotions and drops anyway. */
    private static final long PER_RECORD_SLEEP_NS = 10_000_000L;

    private final KernelIngest kernel;
    private final SecurityLane security;
    private final ObservabilityLane observability;
    private final PromotionRule[] rules;
    private final List<Thread> threads = new ArrayList<>();
    private final Records.Tap tap;
    private final PromotionQueue promotions = new PromotionQueue(1024);
    private volatile boolean running = true;
    private volatile int realtimePriority;
    private final CompletableFuture<String> priority = new CompletableFuture<>();
    private long promoted;
    private long securitySeen;
    private long observabilitySeen;
    private long sinceBootNs;
    private long lastCheckNs;

    public Router(KernelIngest kernel, SecurityLane security, ObservabilityLane observability,
            List<PromotionRule> rules, Records.Tap tap) {
        this.kernel = kernel;
        this.security = security;
        this.observability = observability;
        this.rules = rules.toArray(new PromotionRule[0]);
        this.tap = tap;
    }

    /** Before {@link #start()}: run the security ring's reader at SCHED_FIFO {@code priority} (0: normal). */
    public Router realtimePriority(int priority) {
        this.realtimePriority = priority;
        return this;
    }

    /** Completes, once the security thread runs, with null or why it could not get its real-time priority. */
    public CompletableFuture<String> priority() {
        return priority;
    }

    public Router start() {
        RingBufferReader sec = kernel.reader(Ring.SECURITY);
        RingBufferReader obs = kernel.reader(Ring.OBSERVABILITY);
        RecordHandler toSecurity = r -> {
            tap.accept(r);
            security.publish(r);
        };
        RecordHandler toObservability = r -> {
            tap.accept(r);
            for (PromotionRule rule : rules) {
                if (rule.matches(r)) {
                    promoted++;
                    promotions.put(r);
                    break;
                }
            }
            observability.offer(r);
        };
        // The counters start at zero with the maps: every drop since then is reported, none assumed.
        securitySeen = 0;
        observabilitySeen = 0;
        sinceBootNs = kernel.startedBootNanos();
        lastCheckNs = System.nanoTime();
        WakeupPolicy secWake = kernel.config().wakeup(Ring.SECURITY);
        WakeupPolicy obsWake = kernel.config().wakeup(Ring.OBSERVABILITY);
        spawn("router-security", () -> securityLoop(sec, toSecurity, secWake));
        spawn("router-observability", () -> observabilityLoop(obs, toObservability, obsWake));
        return this;
    }

    private void securityLoop(RingBufferReader reader, RecordHandler handler, WakeupPolicy wake) {
        priority.complete(ThreadPriority.realtime(realtimePriority));
        while (running) {
            int n = reader.drain(handler, BATCH);
            promotions.drain(security::publish);
            security.endBatch();
            long now = System.nanoTime();
            if (now - lastCheckNs >= GAP_CHECK_NS) {
                lastCheckNs = now;
                checkDrops();
            }
            if (n < BATCH) {
                sleep(reader, wake);
            }
        }
        reader.drain(handler, Integer.MAX_VALUE);  // what the kernel committed before the stop
        promotions.drain(security::publish);
        checkDrops();
        security.endBatch();
    }

    private void observabilityLoop(RingBufferReader reader, RecordHandler handler, WakeupPolicy wake) {
        while (running) {
            if (reader.drain(handler, BATCH) < BATCH) {
                sleep(reader, wake);
            }
        }
        reader.drain(handler, Integer.MAX_VALUE);
    }

    /**
     * After a drain that emptied the ring. Woken per record: until the next record. On a
     * timer: until the timer or the watermark, so records are handed on in batches of up to
     * one delay's worth and the traced threads pay no wake-up per record.
     */
    private static void sleep(RingBufferReader reader, WakeupPolicy wake) {
        if (wake.perRecord()) {
            reader.awaitRecords(PER_RECORD_SLEEP_NS);
        } else {
            reader.await(wake.maxDelayNanos());
        }
    }

    /** Kernel reservation failures become gap records (security) and loss counts (observability). */
    private void checkDrops() {
        long nowBoot = KernelClock.bootNanos();
        long sec = kernel.drops(Ring.SECURITY);
        if (sec > securitySeen) {
            security.publishGap(Ring.SECURITY.id(), sec - securitySeen, sinceBootNs, nowBoot);
            securitySeen = sec;
        }
        long obs = kernel.drops(Ring.OBSERVABILITY);
        if (obs > observabilitySeen) {
            observability.reportKernelLoss(obs - observabilitySeen);
            observabilitySeen = obs;
        }
        sinceBootNs = nowBoot;
    }

    private void spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        threads.add(t);
    }

    public long promoted() {
        return promoted;
    }

    /**
     * Stops reading after draining what the kernel had committed and reporting
     * its last drops; detach the programs first so that nothing can follow.
     * The lanes are closed by their owner.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        threads.get(0).join();   // the security thread: its last drain takes every queued promotion
        promotions.close();
        threads.get(1).join();
        if (promotions.lostAtClose() > 0) {
            System.err.println("twinlane router: " + promotions.lostAtClose()
                    + " promotions arrived after the security lane's last drain and were not logged");
        }
    }
}
