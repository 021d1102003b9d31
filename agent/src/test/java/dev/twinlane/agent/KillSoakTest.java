package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;

/**
 * kill -9 under load, {@link #KILLS} times: the real agent (a child JVM) records every open of a
 * watched file while a thread of this test opens it steadily; each agent is killed with
 * SIGKILL at a random moment after it started, the next one continues the same log. At the end,
 * after one clean run, the log verifies whole (sequence continuous, every MAC, every seal) and
 * holds exactly one RECOVERY record per kill: every unclean restart is in the chain.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class KillSoakTest {
    static final int KILLS = Integer.getInteger("twinlane.killSoak", 100);

    @TempDir
    Path tmp;

    @Test
    void everyKillUnderLoadIsARecoveryRecordAndTheLogVerifies() throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve("data");
        Path watched = Files.writeString(Files.createDirectories(tmp.resolve("w")).resolve("file"), "x\n");
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicLong opens = new AtomicLong();
        Thread load = new Thread(() -> openSteadily(watched, loading, opens), "soak-load");
        load.start();
        java.util.Random random = new java.util.Random(42);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < KILLS; i++) {
                Path err = tmp.resolve("agent-" + i + ".err");
                Process agent = start(data, watched, err);
                try {
                    AgentProcess.awaitLine(agent, err, "twinlane: mode ");
                    Thread.sleep(random.nextInt(300));   // under load: records in the ring, the lane and the log
                } finally {
                    agent.destroyForcibly();   // SIGKILL
                    assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "killed agent " + i + " ended");
                }
                assertEquals(137, agent.exitValue(), "agent " + i + " was killed, not ended otherwise: "
                        + Files.readString(err));
            }
            Path err = tmp.resolve("agent-last.err");
            Process last = start(data, watched, err);
            AgentProcess.awaitLine(last, err, "twinlane: mode ");
            last.destroy();   // SIGTERM: a clean close
            assertTrue(last.waitFor(60, TimeUnit.SECONDS));
        } finally {
            loading.set(false);
            load.join();
        }
        ChainVerifier.Report report = new ChainVerifier(KeyRing.load(data.resolve("keys/security.key")),
                SealKey.loadPublic(data.resolve("keys/seal.pub"))).verify(data.resolve("security"), null);
        long recoveries = report.counts().getOrDefault(Kinds.RECOVERY, 0L);
        System.out.printf("kill soak: %d SIGKILLs under load in %d s, %d opens; verify: %s; %d RECOVERY records%n",
                KILLS, (System.nanoTime() - t0) / 1_000_000_000L, opens.get(), report.line(), recoveries);
        assertTrue(report.ok(), report.line());
        assertEquals(KILLS, recoveries, "one RECOVERY record per kill");
    }

    private static Process start(Path data, Path watched, Path err) throws IOException {
        return AgentProcess.start(err, err.resolveSibling("agent.status"), "run", "--data-dir", data.toString(),
                "--mode", "audit", "--watch", watched.toString(), "--duration", "10m");
    }

    /** About 2000 opens a second: records always in flight, and a log of some hundred MB, not tens of GB. */
    private static void openSteadily(Path file, AtomicBoolean loading, AtomicLong opens) {
        while (loading.get()) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.read();
                opens.incrementAndGet();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000L);
        }
    }
}
