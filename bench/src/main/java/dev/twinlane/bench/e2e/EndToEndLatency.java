package dev.twinlane.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.LoadGenerator;
import dev.twinlane.ingest.ThreadPriority;
import dev.twinlane.observability.ObservabilityLane;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.router.Records;
import dev.twinlane.router.Router;
import dev.twinlane.security.SecurityEvent;
import dev.twinlane.security.SecurityLane;
import dev.twinlane.wal.ChainAppender;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.records.Ring;

/**
 * End-to-end latency of the security path on the real kernel path: records
 * written into the product's security ring by an in-kernel program
 * (loadgen_security, BPF_PROG_TEST_RUN, stamped with the boot clock) at a
 * fixed rate, read by the router, handed over by the security lane, appended
 * to the chained log. Prints, for the same run: kernel → router (the
 * baseline: what reading alone costs), kernel → appended, and kernel →
 * durable, as p50/p99/p99.9 and the max, against the targets of issue 4.
 *
 *   java [-De2e.warmupSeconds=3] [-De2e.syncMs=100] [-De2e.sliceUs=100] [-De2e.realtimePriority=1]
 *        [-De2e.lanePriority=1] [-De2e.syncerPriority=1] [-De2e.noAppend=true (diagnosis)] ...
 *        dev.twinlane.bench.e2e.EndToEndLatency
 *        [rate/s] [seconds] [blocking|yielding|phasedN]
 */
public final class EndToEndLatency {
    private static final int INDEX = RecordLayout.HEADER.field("start_ns").offset();
    private static final int KTIME = RecordLayout.HEADER.field("ktime_ns").offset();
    private static final int SOURCE = RecordLayout.HEADER.field("source").offset();
    private static final int TEST_RUN = 4;

    private static int warm;
    private static final int SLICE_US = Integer.getInteger("e2e.sliceUs", 100);
    /** Diagnosis only: the lane hands over but does not append, to see the hand-over's own share. */
    private static final boolean NO_APPEND = Boolean.getBoolean("e2e.noAppend");

    private EndToEndLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String waitName = args.length > 2 ? args[2] : "blocking"; // the agent's default for the security lane
        WaitStrategy wait = waitName.equals("yielding") ? new YieldingWaitStrategy()
                : waitName.startsWith("phased") ? PhasedBackoffWaitStrategy.withLock(
                        Long.parseLong(waitName.substring(6)), 0, java.util.concurrent.TimeUnit.MICROSECONDS)
                : new BlockingWaitStrategy();
        int warmSeconds = Integer.getInteger("e2e.warmupSeconds", 3);
        // The first seconds hold the JVM's start (JIT compiles, start-up GCs of 100+ ms): not what is measured.
        warm = rate * warmSeconds;
        int total = rate * (warmSeconds + seconds);
        long[] read = new long[total];
        long[] appended = new long[total];
        long[] appendedAt = new long[total];
        long[] walSeq = new long[total];
        long[] durableLag = new long[total];
        long[] appendCost = new long[total];
        long[] handed = new long[total];
        long offset = clockOffset();  // boot clock = monotonic + offset

        Path dir = Files.createTempDirectory("twinlane-e2e-");
        Path keyFile = dir.resolve("k.key");
        KeyRing.generate(keyFile);
        int[] durableCursor = {0};
        // The agent's security log: its presets (epochs, seals every 100 000 records or 1 s), with a seal key.
        SealKey seal = SealKey.generate(dir.resolve("seal.key"), dir.resolve("seal.pub"));
        int rt = Integer.getInteger("e2e.realtimePriority", 1); // the agent's default (security.realtime_priority)
        ChainedLog log = ChainedLog.security(dir.resolve("log")).keys(KeyRing.load(keyFile)).sealKey(seal)
                .syncerSetup(() -> ThreadPriority.realtime(Integer.getInteger("e2e.syncerPriority", rt)))
                .syncEvery(Duration.ofMillis(Long.getLong("e2e.syncMs", 100))).onDurable(seq -> {
                    long now = System.nanoTime();
                    int i = durableCursor[0];
                    while (i < total && walSeq[i] != 0 && walSeq[i] <= seq) {
                        durableLag[i] = now - appendedAt[i];
                        i++;
                    }
                    durableCursor[0] = i;
                }).build();
        ChainAppender app = log.appender();
        SecurityLane lane = new SecurityLane(1 << 16, wait, e -> {
            if (e.type() != SecurityEvent.Type.RECORD) {
                return;
            }
            long before = System.nanoTime();
            long seq = NO_APPEND ? 0 : app.append(e.kindCode(), e.data(), 0, e.length());
            long i = getLong(e.data(), INDEX);
            if (e.data()[SOURCE] == TEST_RUN && i >= 0 && i < total) {
                long now = System.nanoTime();
                appended[(int) i] = now + offset - getLong(e.data(), KTIME);
                appendedAt[(int) i] = now;
                appendCost[(int) i] = now - before;
                handed[(int) i] = before + offset - getLong(e.data(), KTIME);
                walSeq[(int) i] = seq;
            }
        }).realtimePriority(Integer.getInteger("e2e.lanePriority", rt)).start();
        ObservabilityLane obs = new ObservabilityLane(new ObservabilityLane.Settings(), (json, n, start) -> { }).start();
        KernelIngest kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(0)
                .audit(new dev.twinlane.ingest.AuditLog(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))));
        Records.Tap tap = r -> {
            long i = r.s64(INDEX);
            if (r.u8(SOURCE) == TEST_RUN && i >= 0 && i < total) {
                read[(int) i] = System.nanoTime() + offset - r.s64(KTIME);
            }
        };
        long late;
        Router router = new Router(kernel, lane, obs, List.of(), tap).realtimePriority(rt).start();
        System.out.printf("security path threads: SCHED_FIFO %d: router %s, lane %s%n", rt,
                orOk(router.priority().get()), orOk(lane.priority().get()));
        try (LoadGenerator gen = LoadGenerator.attachedTo(kernel, 1 << 12)) {
            drive(gen, rate, total);
            Thread.sleep(400);  // the last group commit
            late = kernel.reader(Ring.SECURITY).lateWakeups();
        } finally {
            kernel.detach();
            router.close();
            lane.close();
            obs.close();
            kernel.close();
            log.close();
        }
        System.out.printf("e2e: %d records at %d/s for %d s after %d s of warm-up, in bursts of %d every %d us,"
                + " lane wait strategy %s%n", total - warm, rate, seconds, warmSeconds,
                Math.max(1, (long) rate * SLICE_US / 1_000_000L), SLICE_US, wait.getClass().getSimpleName());
        System.out.printf("security ring: %d sleeps ran to their timeout with records waiting%n", late);
        report("kernel -> router (baseline)", read);
        report("kernel -> appended", appended);
        report("router -> appended", minus(appended, read));
        report("router -> lane handler", minus(handed, read));
        if (NO_APPEND) {
            System.out.println("diagnosis run (e2e.noAppend): the lane appended nothing; \"appended\" means handed"
                    + " over, and the targets are not judged");
            return;
        }
        report("append call alone", appendCost);
        report("appended -> durable", durableLag);
        long[] a = sorted(appended);
        long[] d = sorted(durableLag);
        System.out.printf("target appended p99 < 50 us: %s (%.1f us)%n", pct(a, 0.99) < 50_000 ? "met" : "NOT met",
                pct(a, 0.99) / 1000.0);
        System.out.printf("target durable within 100 ms + 2 ms of the append: %s (max %.1f ms)%n",
                d[d.length - 1] <= 102_000_000L ? "met" : "NOT met", d[d.length - 1] / 1e6);
    }

    /** CLOCK_BOOTTIME - System.nanoTime(), from the tightest of many bracketed reads (after warm-up). */
    private static long clockOffset() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 2000; i++) {
            long t0 = System.nanoTime();
            long boot = KernelClock.bootNanos();
            long t1 = System.nanoTime();
            if (t1 - t0 < best) {
                best = t1 - t0;
                offset = boot - (t0 + t1) / 2;
            }
        }
        return offset;
    }

    /**
     * Emits in slices of {@code e2e.sliceUs} (default 100 us: 10 records per slice at 100 k/s),
     * on schedule. Each slice is one test run, so its records reach the ring together: a burst
     * whose last record waits for the appends of the others. Slices of 1000 us make bursts of
     * 100 at 100 k/s, a harsher load than an evenly spread stream.
     */
    private static void drive(LoadGenerator gen, int rate, int total) {
        long sliceNs = SLICE_US * 1000L;
        int perSlice = (int) Math.max(1, (long) rate * SLICE_US / 1_000_000L);
        long next = System.nanoTime();
        int sent = 0;
        int lateSlices = 0;
        long worstLate = 0;
        while (sent < total) {
            long late = System.nanoTime() - next;
            if (late > 500_000 && sent >= warm) {
                lateSlices++;
                worstLate = Math.max(worstLate, late);
            }
            // The program numbers records 0..n-1 per run: shift them with start_ns via the run count.
            long n = Math.min(perSlice, total - sent);
            long ok = gen.emitSecurityFrom(sent, n);
            sent += n;
            if (ok != n) {
                System.out.printf("kernel ring refused %d records%n", n - ok);
            }
            next += sliceNs;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        // A late slice is emitted at once with the ones it delayed: a burst, whose last records wait
        // for the appends of all the others. That is load shape, not the path's own delay.
        System.out.printf("load generator: %d slices started more than 500 us late (worst %.1f ms)%n",
                lateSlices, worstLate / 1e6);
    }

    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] > 0 && b[i] > 0 ? Math.max(1, a[i] - b[i]) : 0;
        }
        return d;
    }

    private static String orOk(String problem) {
        return problem == null ? "ok" : problem;
    }

    private static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    private static long[] sorted(long[] v) {
        long[] s = Arrays.stream(v, warm, v.length).filter(x -> x > 0).toArray();
        Arrays.sort(s);
        return s;
    }

    private static long pct(long[] s, double p) {
        return s[(int) Math.min(s.length - 1, Math.ceil(s.length * p) - 1)];
    }

    private static void report(String what, long[] values) {
        long[] s = sorted(values);
        System.out.printf("%-28s n=%d p50=%.1f us p99=%.1f us p99.9=%.1f us max=%.1f us%n", what, s.length,
                pct(s, 0.5) / 1000.0, pct(s, 0.99) / 1000.0, pct(s, 0.999) / 1000.0, s[s.length - 1] / 1000.0);
    }
}
