package dev.twinlane.router;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.ThreatClass;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.RecordHandler;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;
import dev.twinlane.ingest.RingBufferReader;
import dev.twinlane.ingest.SleepingReader;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.ingest.WakeupPolicy;

/**
 * Reads each kernel ring on its own thread and hands every record on:
 * security records to the {@link SecurityPublisher} (which may wait, so the
 * kernel, not the agent, counts what is lost), observability records to the
 * {@link ObservabilityPublisher} (which sheds, never waits) and, when a
 * {@link PromotionRule} matches, to the security side too. Each publisher has
 * exactly one publishing thread: the security thread also publishes gaps
 * ({@link GapAccounting}) and promotions ({@link Promotion}); the observability
 * thread also reports its ring's kernel losses and the lane's clock ticks.
 * Nothing on the record path makes a system call, takes a lock or allocates.
 */
public final class Router implements AutoCloseable {
    private static final int BATCH = 4096;
    private static final int EXEC = RecordKind.EXEC.code();
    /** Longest sleep of a reader woken per record, before it looks at promotions and drops anyway. */
    private static final long PER_RECORD_SLEEP_NS = 10_000_000L;
    /**
     * A timer-driven security reader that found its ring empty for this long sleeps until the
     * next record wakes it (see SleepingReader), or this much longer at most: an idle agent wakes
     * 10 times a second instead of 1000, and the bound covers a wake-up lost to the race the
     * SleepingReader describes, gap checks and promotions.
     */
    private static final long IDLE_AFTER_NS = 20_000_000L;
    private static final long IDLE_SLEEP_NS = 100_000_000L;
    /** How often the observability lane hears the time when no record brings it. */
    private static final long TICK_NS = 50_000_000L;

    private final KernelIngest kernel;
    private SecurityPublisher security;
    private DetectingPublisher detecting;
    private final ObservabilityPublisher observability;
    private final Promotion promotion;
    private final UserRecords policyEvents = new UserRecords();
    private final ExecIds execIds = new ExecIds();
    private final UserRecords sandboxDenials = new UserRecords(execIds);
    private final Records.Tap tap;
    private final KernelDrops drops;
    private final GapAccounting gaps;
    private final CompletableFuture<String> priority = new CompletableFuture<>();
    private Thread securityThread;
    private Thread observabilityThread;
    private volatile boolean running = true;
    private volatile int realtimePriority;
    private volatile int nice;
    private volatile boolean avoidProducerCpu;
    /** Null when placement is left to the kernel; written once by the security thread, read for the status. */
    private volatile ReaderPlacement placement;
    private long observabilityLossReported;

    public Router(KernelIngest kernel, SecurityPublisher security, ObservabilityPublisher observability,
            List<PromotionRule> rules, Records.Tap tap) {
        this.kernel = kernel;
        this.security = security;
        this.observability = observability;
        this.promotion = new Promotion(rules);
        this.tap = tap;
        this.drops = new KernelDrops(kernel);
        drops.readNow();
        this.gaps = new GapAccounting(drops, kernel.loggedDrops());
        // Observability drops made before this agent (an earlier one's, or while none ran) are not this lane's to report.
        this.observabilityLossReported = kernel.dropsBefore(Ring.OBSERVABILITY);
    }

    /**
     * Queues a policy event (ingest's {@code PolicyEvent.toRecord}) for the security lane: any
     * thread may call it; the security thread publishes it after its next drain, in order.
     */
    public void publishPolicyEvent(byte[] record) {
        policyEvents.offer(record);
    }

    /**
     * Queues a sandbox denial (ingest's {@code SandboxDenial.toRecord}) for the security lane: any
     * thread may call it; the security thread gives it the exec_id of its tgid's exec record and
     * publishes it after a drain, in order (see {@link ExecIds} for how long it waits for that record).
     */
    public void publishSandboxDenial(byte[] record) {
        sandboxDenials.offer(record);
    }

    /**
     * Before {@link #start()}: scan the strings of every security record (and the comm of every
     * observability record) with these rules; a finding's detection record follows its subject in
     * the security lane, and an observability record with a finding is promoted to it first.
     */
    public Router detection(DetectionRules rules) {
        detecting = new DetectingPublisher(security, rules, tap);
        security = detecting;
        promotion.detectComm(new RecordStrings(rules));
        return this;
    }

    /** Strings the detector scanned on both threads (0 without {@link #detection}). */
    public long detectorScanned() {
        return detecting == null ? 0 : detecting.strings().detector().scanned() + promotion.commsScanned();
    }

    /** Detection records of this class made (0 without {@link #detection}). */
    public long detectorHits(ThreatClass c) {
        return detecting == null ? 0 : detecting.strings().reported(c);
    }

    /** Before {@link #start()}: run the security ring's reader at SCHED_FIFO {@code priority} (0: normal). */
    public Router realtimePriority(int priority) {
        this.realtimePriority = priority;
        return this;
    }

    /** Before {@link #start()}: the reader's nice value when it is not real-time (realtimePriority 0). */
    public Router nice(int value) {
        this.nice = value;
        return this;
    }

    /**
     * Before {@link #start()}: whether the security reader leaves out of its CPUs the one that
     * makes most of its records ({@link ReaderPlacement}).
     */
    public Router avoidProducerCpu(boolean value) {
        this.avoidProducerCpu = value;
        return this;
    }

    /** Where the security reader runs and why, for the status file. */
    public String readerPlacement() {
        ReaderPlacement p = placement;
        return p == null ? "where the kernel puts it (security.reader_avoids_producer_cpu false)" : p.state();
    }

    /** Completes, once the security thread runs, with null or why it could not get its real-time priority. */
    public CompletableFuture<String> priority() {
        return priority;
    }

    public Router start() {
        RingBufferReader sec = kernel.reader(Ring.SECURITY);
        RingBufferReader obs = kernel.reader(Ring.OBSERVABILITY);
        WakeupPolicy secWake = kernel.config().wakeup(Ring.SECURITY);
        WakeupPolicy obsWake = kernel.config().wakeup(Ring.OBSERVABILITY);
        drops.start();
        securityThread = spawn("router-security", () -> securityLoop(sec, toSecurity, secWake));
        observabilityThread = spawn("router-observability", () -> observabilityLoop(obs, new ToObservability(), obsWake));
        return this;
    }

    private final ToSecurity toSecurity = new ToSecurity();

    private void securityLoop(RingBufferReader reader, ToSecurity handler, WakeupPolicy wake) {
        priority.complete(ThreadPriority.apply(realtimePriority, nice));
        SleepingReader asleep = kernel.sleepingReader();
        long lastRecordNs = System.nanoTime();
        long lastTick = lastRecordNs;
        ReaderPlacement place = avoidProducerCpu ? new ReaderPlacement(lastRecordNs) : null;
        placement = place;
        handler.place = place;
        while (running) {
            int n = reader.drain(handler, BATCH);
            promotion.drainTo(security);
            policyEvents.drainTo(security);
            sandboxDenials.drainTo(tappedSecurity);
            gaps.check(security);
            security.endBatch();
            long now = System.nanoTime();
            if (place != null) {
                place.endOfBatch(now);
            }
            if (n > 0) {
                lastRecordNs = now;
            } else if (now - lastTick >= TICK_NS) {
                lastTick = now;
                security.tick();
            }
            if (n == BATCH) {
                continue;
            }
            if (!wake.perRecord() && System.nanoTime() - lastRecordNs > IDLE_AFTER_NS && asleep.fallAsleep(reader)) {
                reader.await(IDLE_SLEEP_NS);
                asleep.wakeUp();
            } else {
                sleep(reader, wake);
            }
        }
        reader.drain(handler, Integer.MAX_VALUE);  // what the kernel committed before the stop
        promotion.drainTo(security);
        policyEvents.drainTo(security);
        sandboxDenials.drainTo(tappedSecurity, true);
        security.endBatch();
    }

    private void observabilityLoop(RingBufferReader reader, RecordHandler handler, WakeupPolicy wake) {
        long lastTick = System.nanoTime();
        while (running) {
            int n = reader.drain(handler, BATCH);
            reportObservabilityLoss();
            long now = System.nanoTime();
            if (now - lastTick >= TICK_NS) {
                lastTick = now;
                observability.tick();
            }
            observability.endBatch();
            if (n < BATCH) {
                sleep(reader, wake);
            }
        }
        reader.drain(handler, Integer.MAX_VALUE);
        observability.endBatch();
    }

    private void reportObservabilityLoss() {
        long lost = drops.count(Ring.OBSERVABILITY);
        if (lost > observabilityLossReported) {
            observability.reportKernelLoss(lost - observabilityLossReported);
            observabilityLossReported = lost;
        }
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

    /** Security records, in the kernel's reservation order. */
    private final class ToSecurity implements RecordHandler {
        /** The security thread's own (see {@link ReaderPlacement}); null: placement left to the kernel. */
        ReaderPlacement place;

        @Override
        public void onRecord(RecordView r) {
            tap.accept(r);
            if (place != null) {
                place.count(r);
            }
            if (r.kindCode() == EXEC) {
                execIds.remember(r);
            }
            security.publish(r);
        }

        @Override
        public void onMalformed(RecordView r, int problem) {
            // counted by the reader (twinlane.ingest.malformed); never printed from a real-time thread
        }
    }

    /** Sandbox denials: shown to the tap (--print, kinds counted) as they are published, like kernel records. */
    private final SecurityPublisher tappedSecurity = new ForwardingPublisher() {
        @Override
        public void publish(RecordView r) {
            tap.accept(r);
            security.publish(r);
        }

        @Override
        SecurityPublisher next() {
            return security;   // read at each call: detection() replaces it before the start
        }
    };

    private final class ToObservability implements RecordHandler {
        @Override
        public void onRecord(RecordView r) {
            tap.accept(r);
            promotion.offer(r);
            observability.offer(r);
        }

        @Override
        public void onMalformed(RecordView r, int problem) {
            // counted by the reader (twinlane.ingest.malformed)
        }
    }

    private static Thread spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    public long promoted() {
        return promotion.promoted();
    }

    /**
     * Stops reading after draining what the kernel had committed and reporting
     * its last drops; detach the programs first so that nothing can follow.
     * The publishers are closed by their owner.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        securityThread.join();   // its last drain took every promotion queued before
        promotion.close();
        policyEvents.close();
        sandboxDenials.close();
        observabilityThread.join();
        drops.stop();
        // The reading threads are gone: this thread is now the publishers' only caller.
        drops.readNow();
        gaps.check(security);
        gaps.close();
        security.endBatch();
        reportObservabilityLoss();
        observability.endBatch();
        if (policyEvents.lostAtClose() > 0) {
            System.err.println("twinlane router: " + policyEvents.lostAtClose()
                    + " policy events arrived after the security lane's last drain and were not logged");
        }
        if (sandboxDenials.lostAtClose() > 0) {
            System.err.println("twinlane router: " + sandboxDenials.lostAtClose()
                    + " sandbox denials arrived after the security lane's last drain and were not logged");
        }
        if (promotion.lostAtClose() > 0) {
            System.err.println("twinlane router: " + promotion.lostAtClose()
                    + " promotions arrived after the security lane's last drain and were not logged");
        }
    }
}
