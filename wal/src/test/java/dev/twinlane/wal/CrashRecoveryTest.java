package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * A child JVM appends under load and is SIGKILLed, 22 times. Every fourth kill comes at a random
 * moment (start-up and recovery included); the others land in the middle of a write: the test
 * stops the child (SIGSTOP), looks at the newest cycle file, and kills it only while a document
 * is half written: bytes after the last complete document, whose header Chronicle has not written
 * yet (it writes it last); else it lets the child run a little and looks again. After each kill
 * every record the child reported durable is present and the log verifies; the next child
 * discards the torn write, and its first record is a RECOVERY that names the last seq it kept
 * (the last record the kill left, which is at least the last one reported durable) and the seq
 * that was recorded durable before the kill.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
    private static final int KILLS = 22;
    private static final Signals SIGNALS = Signals.load();
    @TempDir
    Path tmp;

    @Test
    void sigkillAtRandomMomentsLosesNothingDurable() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Random rnd = new Random();
        long lastVerified = 0;
        long knownDurable = 0;
        int resumedChecks = 0;
        int midWrite = 0;
        int tornDiscarded = 0;
        int recoveries = 0;
        long stops = 0;
        boolean previousMidWrite = false;
        for (int round = 0; round < KILLS; round++) {
            Process child = start(fx, tmp.resolve("child-" + round + ".err"));
            AtomicLong recovered = new AtomicLong(-1);
            AtomicReference<String> recovery = new AtomicReference<>();
            AtomicLong durable = new AtomicLong(0);
            Thread out = new Thread(() -> readLines(child, recovered, recovery, durable));
            out.start();
            boolean targeted = round % 4 != 0;
            long wait;
            boolean landedMidWrite = false;
            if (!targeted) {
                wait = rnd.nextInt(1500); // may hit start-up and recovery itself
                Thread.sleep(wait);
                child.destroyForcibly(); // SIGKILL on Linux
            } else {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (recovered.get() < 0 && child.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                if (recovered.get() < 0) {
                    child.destroyForcibly();
                    fail("round " + round + ": the child did not start (alive " + child.isAlive() + "); its stderr ends: "
                            + tail(tmp.resolve("child-" + round + ".err")));
                }
                wait = 100 + rnd.nextInt(900); // under load, after recovery
                Thread.sleep(wait);
                long tries = killMidWrite(child, fx, rnd);
                stops += tries;
                landedMidWrite = true;
                midWrite++;
            }
            child.waitFor();
            out.join();
            ChainVerifier.Report r = fx.verify();
            String ctx = "round " + round + " after " + wait + " ms: " + r.line();
            if (recovered.get() >= 0 && previousMidWrite) {
                assertTrue(recovery.get().contains("discarded a torn partial write of"),
                        "the kill of the previous round landed mid-write, so this start found torn bytes: " + recovery.get());
                tornDiscarded++;
            }
            if (recovered.get() < 0 && lastVerified == 0 && !r.ok()
                    && r.failure() == ChainVerifier.Failure.UNREADABLE) {
                previousMidWrite = false;
                continue; // killed before the first genesis was written: nothing to check yet
            }
            assertTrue(r.ok(), ctx);
            assertTrue(r.lastSeq() >= durable.get(), "reported durable " + durable.get() + " but " + ctx);
            if (recovered.get() >= 0 && lastVerified > 0) {
                // the restart after a kill: its first record is a RECOVERY naming what it kept
                assertEquals(lastVerified + 1, recovered.get(), "resumed after a RECOVERY record, " + ctx);
                byte[] rec = record(fx, lastVerified + 1);
                assertEquals(Kinds.RECOVERY, StoredRecord.kind(rec), ctx);
                assertEquals(lastVerified, RecordFormat.getLong(rec, RecordFormat.HEADER + 52),
                        "RECOVERY names the last seq the kill left, " + ctx);
                assertEquals(knownDurable, RecordFormat.getLong(rec, RecordFormat.HEADER + 60),
                        "RECOVERY names the seq recorded durable before the kill, " + ctx);
                assertTrue((RecordFormat.getInt(rec, RecordFormat.HEADER + 68) & Kinds.RECOVERY_NOT_CLOSED) != 0, ctx);
                recoveries++;
                resumedChecks++;
            }
            assertTrue(r.lastSeq() >= lastVerified, "nothing verified before is gone, " + ctx);
            lastVerified = r.lastSeq();
            knownDurable = recordedDurable(fx);
            assertTrue(knownDurable <= lastVerified, "recorded durable " + knownDurable + " is in the log, " + ctx);
            previousMidWrite = landedMidWrite;
            System.out.println("crash round " + round + ": killed " + wait + " ms after "
                    + (recovered.get() >= 0 ? "recovery" : "start") + (landedMidWrite ? ", mid-write" : "")
                    + ", durable reported " + durable.get() + ", recorded durable " + knownDurable + ", "
                    + r.line().replaceAll(":.*", ""));
        }
        assertTrue(resumedChecks >= KILLS / 2 + 1, "children resumed the chain " + resumedChecks + " times");
        assertTrue(tornDiscarded >= midWrite / 2, midWrite + " kills mid-write, " + tornDiscarded + " torn writes discarded");
        try (ChainedLog log = fx.open()) {
            assertEquals(lastVerified + 1, log.appendedSeq(), "a RECOVERY after the last kill");
            assertEquals(lastVerified + 2, log.appender().append(9, new byte[]{1, 2, 3}));
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        System.out.println("crash test final: " + KILLS + " SIGKILLs, " + midWrite + " of them mid-write (" + stops
                + " stops to find the moments), " + tornDiscarded + " torn writes discarded at the next start, "
                + recoveries + " RECOVERY records checked, " + resumedChecks + " resumed chains; " + r.line());
    }

    /**
     * Stops the child until it is caught in the middle of writing a document, then kills it
     * there. Returns how many stops it took; fails after 20 s without one.
     */
    private static long killMidWrite(Process child, WalFixture fx, Random rnd) throws Exception {
        int pid = (int) child.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long tries = 0;
        while (System.nanoTime() < deadline) {
            assertTrue(child.isAlive(), "the child died on its own");
            tries++;
            SIGNALS.kill(pid, Signals.SIGSTOP);
            waitStopped(pid);
            if (midWrite(fx.wal)) {
                SIGNALS.kill(pid, Signals.SIGKILL);
                return tries;
            }
            SIGNALS.kill(pid, Signals.SIGCONT);
            Thread.sleep(0, 100_000 + rnd.nextInt(900_000));
        }
        SIGNALS.kill(pid, Signals.SIGKILL);
        fail("no write caught in the middle in 20 s (" + tries + " stops)");
        return tries;
    }

    /** Until the kernel reports every thread of the process stopped (state T), so that it writes nothing more. */
    private static void waitStopped(int pid) throws IOException, InterruptedException {
        for (int i = 0; i < 2000; i++) {
            boolean all = true;
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String s;
                    try {
                        s = Files.readString(t.resolve("stat"));
                    } catch (IOException gone) {
                        continue; // a thread that ended
                    }
                    char state = s.charAt(s.lastIndexOf(')') + 2);
                    all &= state == 'T' || state == 't' || state == 'Z' || state == 'X';
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(0, 50_000);
        }
    }

    /** Where the complete documents of a file were last seen to end (documents never move). */
    private static Path scannedFile;
    private static long scannedTo;

    /** Whether the newest cycle file ends in a document whose header is not complete yet. */
    private static boolean midWrite(Path wal) throws IOException {
        List<Path> files = CycleFiles.list(wal);
        if (files.isEmpty()) {
            return false;
        }
        Path newest = files.get(files.size() - 1);
        long from = newest.equals(scannedFile) ? scannedTo : 0;
        try (CycleFiles.Reader rd = new CycleFiles.Reader(newest, from)) {
            while (rd.next() != null) {
                // to the end of the complete documents
            }
            scannedFile = newest;
            scannedTo = rd.position();
            // Chronicle writes a document's header last: while it writes, the header is still 0
            // (or, in older versions, "not complete") and the bytes after it are no longer all 0
            long at = rd.position();
            int h = rd.headerAt(at);
            return rd.end() == CycleFiles.End.NOTHING_MORE && at > 0 && h != CycleFiles.END_OF_DATA
                    && (h != 0 || rd.firstNonZero(at + 4, at + (1 << 20)) >= 0);
        } catch (WalException e) {
            return false; // a file Chronicle is still creating
        }
    }

    private static String tail(Path file) throws IOException {
        String s = Files.exists(file) ? Files.readString(file) : "(none)";
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    private static byte[] record(WalFixture fx, long seq) throws IOException {
        for (byte[] d : Tamper.records(fx.wal)) {
            if (StoredRecord.wellFormed(d) && StoredRecord.seq(d) == seq) {
                return d;
            }
        }
        throw new AssertionError("no record with seq " + seq);
    }

    /** What the writer had recorded durable: the identity file's seq, or the seal file's if newer. */
    private static long recordedDurable(WalFixture fx) {
        long d = 0;
        if (Files.exists(fx.identityFile())) {
            Identity id = Identity.read(fx.identityFile());
            d = id.durableSeq;
            for (DurableSeal s : id.seals) {
                d = Math.max(d, s.recordSeq);
            }
        }
        Path seal = fx.wal.resolve(ChainedLog.SEAL_FILE);
        if (Files.exists(seal)) {
            d = Math.max(d, DurableSeal.read(seal).recordSeq);
        }
        return d;
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

    private static void readLines(Process p, AtomicLong recovered, AtomicReference<String> recovery, AtomicLong durable) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("R ")) {
                    String[] f = line.split(" ", 3);
                    recovery.set(f.length > 2 ? f[2] : "");
                    if (f.length > 2 && (f[2].contains("torn") || f[2].contains("unfinished"))) {
                        System.out.println("crash recovery: " + f[2]);
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
