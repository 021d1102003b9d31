package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.records.Ring;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Losses are never silent: when the security lane backs up into a tiny
 * kernel ring, the kernel counts the records it could not reserve and every
 * one of them comes back as a chained GAP record: the GAP records add up to
 * exactly the kernel's final drop count, read after the programs were detached.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GapRecordTest {
    @TempDir
    Path tmp;

    @Test
    void kernelDropsOnTheSecurityRingBecomeGapRecordsThatAddUp() throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve("data");
        AgentConfig c = AgentConfig.defaults();
        c.dataDir = data;
        c.ingest.ringBytes(Ring.SECURITY, 4096);   // four exec records fit
        c.securityRingSize = 128;
        CountDownLatch release = new CountDownLatch(1);
        Pipeline.Hooks slow = new Pipeline.Hooks(r -> { }, s -> e -> {
            release.await(30, TimeUnit.SECONDS);      // the security log is stuck (a slow disk)
            s.append(e);
        }, b -> b);
        long midRun;
        Pipeline.Summary sum;
        try (Pipeline p = Pipeline.start(c, new SimpleMeterRegistry(), slow)) {
            PipelineTest.spawn("/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done");
            midRun = p.kernel().drops(Ring.SECURITY);
            release.countDown();
            Thread.sleep(500);                        // the router's next drop check publishes the gap
            p.close();
            sum = p.summary();
        }
        long drops = sum.drops()[Ring.SECURITY.id()];   // final: read after the programs were detached
        assertTrue(midRun > 0, "the tiny kernel ring overflowed");
        assertEquals(0, sum.notLogged(), "the log took everything after the release: " + sum.notLoggedLine());
        long gapped = 0;
        int gaps = 0;
        for (LogContents.Entry e : LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")))) {
            if (e.kind() == Kinds.GAP) {
                gaps++;
                gapped += ByteBuffer.wrap(e.payload()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            }
        }
        assertTrue(gaps >= 1, "at least one GAP record");
        assertEquals(drops, gapped, "GAP records name exactly the kernel's drops (" + drops + ", " + midRun + " of them mid-run)");
        System.out.println("gap records: " + gaps + " GAP records name " + gapped + " lost events; kernel drops " + drops
                + " (" + midRun + " when the workload ended)");
    }
}
