package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;

/**
 * A SIGTERM drains: the real agent (a child JVM) records every open of a watched file, this test
 * opens it in a burst and signals the agent the moment the burst ends, so records are still in
 * the kernel ring (read every max_delay), in the router and in the lane. After the exit, the
 * security log verifies, holds every one of the burst's opens, and ends with a SEAL of its last
 * record (the clean close).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SigtermDrainTest {
    private static final int OPENS = 20_000;

    @TempDir
    Path tmp;

    @Test
    void everyOpenBeforeTheSignalIsInTheVerifiedLog() throws Exception {
        PipelineTest.requireRoot();
        Path data = tmp.resolve("data");
        Path watched = Files.writeString(Files.createDirectories(tmp.resolve("w")).resolve("file"), "x\n");
        Path err = tmp.resolve("agent.err");
        Process agent = AgentProcess.start(err, tmp.resolve("agent.status"), "run", "--data-dir", data.toString(),
                "--mode", "audit", "--watch", watched.toString(), "--duration", "10m");
        try {
            AgentProcess.awaitLine(agent, err, "twinlane: mode ");
            open(watched, OPENS);
            long t0 = System.nanoTime();
            agent.destroy();   // SIGTERM, right after the last open
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stopped within 60 s of SIGTERM");
            long stopMs = (System.nanoTime() - t0) / 1_000_000;

            ChainVerifier.Report report = new ChainVerifier(KeyRing.load(data.resolve("keys/security.key")),
                    SealKey.loadPublic(data.resolve("keys/seal.pub"))).verify(data.resolve("security"), null);
            assertTrue(report.ok(), report.toString());
            List<LogContents.Entry> log = LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")));
            long pid = ProcessHandle.current().pid();
            RecordView v = new RecordView();
            long logged = log.stream().filter(e -> e.kind() == RecordKind.FILE_OPEN.code()).filter(e -> {
                v.wrap(e.payload(), 0, e.payload().length);
                return v.number("tgid") == pid && v.text("path").equals(watched.toString());
            }).count();
            LogContents.Entry last = log.get(log.size() - 1);
            System.out.printf("SIGTERM drain: %d of %d opens in the verified log, stopped %d ms after the signal,"
                    + " exit %d, last record %s%n", logged, OPENS, stopMs, agent.exitValue(), Kinds.name(last.kind()));
            assertEquals(OPENS, logged, "every open made before the signal is in the log");
            assertEquals(Kinds.SEAL, last.kind(), "a clean stop ends the log with a SEAL");
        } finally {
            agent.destroyForcibly();
        }
    }

    private static void open(Path file, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.read();
            }
        }
    }
}
