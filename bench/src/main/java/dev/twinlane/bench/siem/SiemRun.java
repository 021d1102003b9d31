package dev.twinlane.bench.siem;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import dev.twinlane.siem.SiemConsumer;

/**
 * One measured run of the SIEM consumer, in a JVM of its own (as ConsumerPerformance runs in its
 * own): full verification (every MAC with the root keys, every seal and checkpoint with the seal
 * public key), OCSF lines appended to a file. Prints
 * {@code RESULT impl=siem messages=M events=E first_ns=F last_ns=L rps=R alerts=... cpu_ns=C commit_ns=W}: the
 * clock runs from the first message consumed to the last (as ConsumerPerformance's fetch time
 * leaves the group join out), in wall-clock ns so that two runs in one group can be put together;
 * C is the JVM's CPU time over the same span, W the time spent waiting for offset commits.
 *
 * <p>Prints READY once the consumer is made and starts when a line comes on stdin.
 *
 * <p>Arguments: BOOTSTRAP PREFIX GROUP OUT_FILE WITNESS_STATE SEAL_PUB EXPECTED_MESSAGES KEY_FILE...
 * (EXPECTED 0: stop after 3 s without a message, for a consumer that gets a share of the topic)
 */
public final class SiemRun {
    private static final long IDLE_NANOS = 3_000_000_000L;
    /**
     * Looked up once: looking it up at each reading, every half millisecond, was most of this
     * watcher's 3-4 % of the consumer's pinned CPU (async-profiler, the main thread).
     */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private SiemRun() {
    }

    public static void main(String[] args) throws Exception {
        SiemConsumer.Options o = new SiemConsumer.Options();
        o.bootstrap = args[0];
        o.securityTopic = args[1] + ".security";
        o.sealsTopic = args[1] + ".seals";
        o.group = args[2];
        Path out = Path.of(args[3]);
        o.witnessState = Path.of(args[4]);
        o.sealPublicKey = Path.of(args[5]);
        long expected = Long.parseLong(args[6]);
        for (int i = 7; i < args.length; i++) {
            o.keyFiles.add(Path.of(args[i]));
        }
        try (OutputStream w = Files.newOutputStream(out)) {
            SiemConsumer c = consumer(o, w);
            // Started together: two consumers of one group join at once, not one after the other's JVM start.
            System.out.println("READY");
            System.out.flush();
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "siem");
            t.start();
            long first = 0;
            long last = 0;
            long cpuFirst = 0;
            long cpuLast = 0;
            long seen = 0;
            long lastChange = System.nanoTime();
            while (t.isAlive()) {
                Thread.sleep(1); // the first and last message's times to within 1 ms, at half the wake-ups of 0.5 ms
                long n = c.stats().messages.get();
                if (n != seen) {
                    long now = wallNanos();
                    if (seen == 0) {
                        first = now;
                        cpuFirst = processCpuNanos();
                    }
                    cpuLast = processCpuNanos();
                    seen = n;
                    last = now;
                    lastChange = System.nanoTime();
                }
                if (expected > 0 ? n >= expected : n > 0 && System.nanoTime() - lastChange > IDLE_NANOS) {
                    break;
                }
            }
            c.stop();
            t.join();
            c.close();
            SiemConsumer.Stats s = c.stats();
            System.out.printf("RESULT impl=siem messages=%d events=%d duplicates=%d checkpoints=%d first_ns=%d last_ns=%d rps=%.0f"
                    + " alerts=%s cpu_ns=%d commit_ns=%d%n", s.messages.get(), s.events.get(), s.duplicates.get(),
                    s.checkpoints.get(), first, last, s.messages.get() / ((last - first) / 1e9),
                    s.alerts.toString().replace(" ", ""), cpuLast - cpuFirst, commitNanos(s));
        }
    }

    /**
     * The consumer writing bytes to the file; a BASELINE consumer from before it took an
     * OutputStream writes through a buffered UTF-8 Writer, as it was run then.
     */
    private static SiemConsumer consumer(SiemConsumer.Options o, OutputStream out) throws Exception {
        try {
            return SiemConsumer.class.getConstructor(SiemConsumer.Options.class, OutputStream.class).newInstance(o, out);
        } catch (NoSuchMethodException before) {
            return SiemConsumer.class.getConstructor(SiemConsumer.Options.class, java.io.Writer.class)
                    .newInstance(o, new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
        }
    }

    /** All of this JVM's threads (the consumer's, GC, JIT, Kafka's heartbeat), user and system. */
    private static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** -1 for a BASELINE consumer that does not count it. */
    private static long commitNanos(SiemConsumer.Stats s) {
        try {
            return ((java.util.concurrent.atomic.AtomicLong) SiemConsumer.Stats.class.getField("commitNanos").get(s)).get();
        } catch (ReflectiveOperationException before) {
            return -1;
        }
    }

    private static long wallNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
