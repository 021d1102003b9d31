package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends under load and is SIGKILLed at random moments, 22 times. After each kill
 * every record it reported durable is present, the log verifies, and the next child resumes
 * the chain at the next seq.
 */
class CrashRecoveryTest {
    private static final int KILLS = 22;
    private static final AtomicLong TORN_OR_UNFINISHED = new AtomicLong();
    @TempDir
    Path tmp;

    @Test
    void sigkillAtRandomMomentsLosesNothingDurable() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Random rnd = new Random();
        long lastVerified = 0;
        int resumedChecks = 0;
        for (int round = 0; round < KILLS; round++) {
            Process child = start(fx, tmp.resolve("child-" + round + ".err"));
            AtomicLong recovered = new AtomicLong(-1);
            AtomicLong durable = new AtomicLong(0);
            Thread out = new Thread(() -> readLines(child, recovered, durable));
            out.start();
            long wait;
            if (round % 4 == 0) {
                wait = rnd.nextInt(1500); // may hit start-up and recovery itself
            } else {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (recovered.get() < 0 && child.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                wait = 100 + rnd.nextInt(900); // under load, after recovery
            }
            Thread.sleep(wait);
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor();
            out.join();
            VerifyReport r = fx.verify();
            String ctx = "round " + round + " after " + wait + " ms: " + r.line();
            if (recovered.get() < 0 && lastVerified == 0 && !r.ok() && r.failure() == Failure.UNREADABLE) {
                continue; // killed before the first genesis was written: nothing to check yet
            }
            assertTrue(r.ok(), ctx);
            assertTrue(r.lastSeq() >= durable.get(), "reported durable " + durable.get() + " but " + ctx);
            if (recovered.get() >= 0) {
                if (lastVerified > 0) {
                    assertEquals(lastVerified + 1, recovered.get(), "resumed from the verified tail after a RECOVERY record, " + ctx);
                    resumedChecks++;
                }
            }
            assertTrue(r.lastSeq() >= lastVerified, "nothing verified before is gone, " + ctx);
            lastVerified = r.lastSeq();
            System.out.println("crash round " + round + ": killed " + wait + " ms after "
                    + (recovered.get() >= 0 ? "recovery" : "start") + ", durable reported "
                    + durable.get() + ", " + r.line().replaceAll(":.*", ""));
        }
        assertTrue(resumedChecks >= KILLS / 2 + 1, "children resumed the chain " + resumedChecks + " times");
        try (ChainedLog log = fx.open()) {
            assertEquals(lastVerified + 1, log.appendedSeq(), "a RECOVERY after the last kill");
            assertEquals(lastVerified + 2, log.appender().append(9, new byte[]{1, 2, 3}));
        }
        VerifyReport r = fx.verify();
        assertTrue(r.ok(), r.line());
        System.out.println("crash test final: " + KILLS + " SIGKILLs, " + resumedChecks + " resumed chains, "
                + TORN_OR_UNFINISHED.get() + " recoveries discarded torn bytes or unfinished files; " + r.line());
    }

    private static Process start(WalFixture fx, Path stderr) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashChild.class.getName());
        cmd.add(fx.wal.toString());
        cmd.add(fx.keyFile.toString());
        cmd.add(fx.sealPrivate.toString());
        return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    }

    private static void readLines(Process p, AtomicLong recovered, AtomicLong durable) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("R ")) {
                    String[] f = line.split(" ", 3);
                    if (f.length > 2 && (f[2].contains("torn") || f[2].contains("unfinished"))) {
                        System.out.println("crash recovery: " + f[2]);
                        TORN_OR_UNFINISHED.incrementAndGet();
                    }
                    recovered.set(Long.parseLong(f[1]));
                } else if (line.startsWith("D ")) {
                    durable.accumulateAndGet(Long.parseLong(line.substring(2).trim()), Math::max);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a line cut by the kill; the last complete one counts
        }
    }
}
