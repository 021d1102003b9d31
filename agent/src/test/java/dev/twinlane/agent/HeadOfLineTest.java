package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;
import dev.twinlane.security.SecurityEvent;
import dev.twinlane.security.SecuritySink;
import dev.twinlane.wal.KeyRing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * No head-of-line blocking between lanes: with the observability sink stalled
 * on purpose, security records still reach their log as fast as without the
 * stall, none is lost, and the stall shows up as shed observability records.
 */
class HeadOfLineTest {
    private static final int EXECS = 400;

    @TempDir
    Path tmp;

    /** Kernel-to-log latencies of the execs of /bin/true, measured when the security log append returns. */
    private static final class Latencies implements SecuritySink {
        private final SecuritySink delegate;
        private final long[] samples = new long[100_000];
        private int n;

        Latencies(SecuritySink delegate) {
            this.delegate = delegate;
        }

        @Override
        public void append(SecurityEvent e) throws Exception {
            delegate.append(e);
            if (e.type() == SecurityEvent.Type.RECORD && e.kindCode() == RecordKind.EXEC.code() && n < samples.length) {
                RecordView r = new RecordView().wrap(e.data(), 0, e.length());
                if (r.text("comm").equals("true")) {
                    samples[n++] = KernelClock.bootNanos() - r.number("ktime_ns");
                }
            }
        }

        long p99() {
            long[] s = Arrays.copyOf(samples, n);
            Arrays.sort(s);
            return s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)];
        }
    }

    private record Run(long p99, int execs, long shed, long securityDrops, Set<Long> loggedExecs) {
    }

    private Run run(String name, boolean stall) throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve(name);
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.syscallSampleRate(1);          // heavy observability traffic
        c.observabilityRingSize = 1024;
        CountDownLatch release = new CountDownLatch(1);
        Latencies[] lat = new Latencies[1];
        Pipeline.Hooks hooks = new Pipeline.Hooks(r -> { }, s -> lat[0] = new Latencies(s), b -> (json, n, start) -> {
            if (stall) {
                release.await(60, TimeUnit.SECONDS);
            }
            b.write(json, n, start);
        });
        long shed;
        long drops;
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), hooks)) {
            PipelineTest.spawn("/bin/sh", "-c", "i=0; while [ $i -lt " + EXECS + " ]; do /bin/true; i=$((i+1)); done");
            Thread.sleep(300);
            shed = p.observabilityLane().shed();
            drops = p.kernel().drops(Ring.SECURITY);
            release.countDown();
        }
        Set<Long> logged = new HashSet<>();
        for (LogContents.Entry e : LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")))) {
            if (e.kind() == RecordKind.EXEC.code()) {
                RecordView r = new RecordView().wrap(e.payload(), 0, e.payload().length);
                if (r.text("comm").equals("true")) {
                    logged.add(r.number("tgid"));
                }
            }
        }
        return new Run(lat[0].p99(), lat[0].n, shed, drops, logged);
    }

    @Test
    void aStalledObservabilitySinkDoesNotDelayOrLoseSecurityRecords() throws Exception {
        Run free = run("free", false);
        Run stalled = run("stalled", true);
        System.out.printf("head-of-line: security p99 unstalled %d us, stalled %d us (ratio %.2f); shed %d vs %d%n",
                free.p99 / 1000, stalled.p99 / 1000, (double) stalled.p99 / free.p99, free.shed, stalled.shed);
        assertEquals(EXECS, free.execs, "every exec measured");
        assertEquals(EXECS, stalled.execs, "every exec measured under the stall");
        assertEquals(EXECS, stalled.loggedExecs.size(), "no security record lost under the stall");
        assertEquals(0, stalled.securityDrops, "the kernel's security ring never overflowed");
        assertTrue(stalled.shed > 0, "the stall shows up as shed observability records");
        assertTrue(stalled.p99 <= 2 * free.p99, "security p99 within 2x of the unstalled run: "
                + stalled.p99 + " ns vs " + free.p99 + " ns");
    }
}
