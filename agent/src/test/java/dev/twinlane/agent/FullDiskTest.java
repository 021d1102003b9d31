package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.records.LossSource;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;

/**
 * The full disk as an operator meets it: `twinlane run` (a child JVM, as ./twinlane starts it)
 * with its data directory on a 64 MiB tmpfs mounted for the test, a filler file taking the rest
 * of it once the agent runs, and a shell loop opening a watched file as fast as it can. The run
 * ends on time (--duration, or SIGTERM) although the security log cannot append, says in one
 * line how many events it did not log, and the next start, with space again, writes them as
 * GAP records: what verify then reports equals the kernel's final drop count plus what the lane
 * read and could not append, and the logged opens plus those losses cover the workload's opens.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FullDiskTest {
    private static final Pattern NOT_LOGGED = Pattern.compile(
            "twinlane run: (\\d+) security events were not logged \\((.*)\\) because (.*)");
    private static final Pattern KERNEL_LOST = Pattern.compile("(\\d+) dropped by the kernel \\(security_ring full\\)");
    private static final Pattern LANE_LOST = Pattern.compile("(\\d+) read by the security lane and not appended");
    private static final Pattern RING = Pattern.compile(
            "twinlane: security ring: (\\d+) records, (\\d+) malformed, (\\d+) dropped in kernel");
    private static final Pattern LANE = Pattern.compile(
            "twinlane: security log: (\\d+) records appended by the lane \\((\\d+) promoted\\), (\\d+) not logged");

    @TempDir
    Path tmp;
    private Path mnt;
    private Path data;
    private Path watched;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void mountTmpfs() throws Exception {
        PipelineTest.requireRoot();
        mnt = Files.createDirectories(tmp.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Assumptions.assumeTrue(p.waitFor() == 0, "SKIPPED full-disk test: cannot mount a tmpfs here (" + out + ")");
        data = mnt.resolve("data");
        watched = Files.writeString(Files.createDirectories(tmp.resolve("watched")).resolve("file"), "x\n");
    }

    @AfterEach
    void unmount() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (mnt != null) {
            new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskRunEndsOnTimeAndEveryEventItDidNotLogBecomesAGapRecord() throws Exception {
        // run 1: the disk fills under a workload; --duration 8s ends it anyway
        Path err1 = tmp.resolve("run1.err");
        Process run1 = agent(err1, "run", "--data-dir", data.toString(), "--mode", "audit", "--watch",
                watched.toString(), "--duration", "8s");
        long ready = awaitLine(run1, err1, "twinlane: mode ");
        Path filler = fill(mnt.resolve("filler"));
        int opens = 200_000;
        long workload = openLoop(opens);
        assertTrue(run1.waitFor(60, TimeUnit.SECONDS), "run 1 ended");
        double stopSeconds = (System.nanoTime() - ready) / 1e9 - 8;
        String out1 = Files.readString(err1);
        System.out.println("full disk, run 1 (stderr):\n" + out1);
        assertEquals(1, run1.exitValue(), "a run that could not log everything exits 1");
        assertTrue(stopSeconds < 10, "--duration 8s honoured on a full disk: the stop took " + stopSeconds + " s");
        assertFalse(out1.contains("JVM may crash"), "no Chronicle disk-space warnings");
        assertTrue(count(out1, "cannot append") <= 3, "the full disk is reported once, not per retry: " + out1);

        Matcher notLogged = only(NOT_LOGGED, out1);
        long notLogged1 = Long.parseLong(notLogged.group(1));
        long kernelLost1 = Long.parseLong(first(KERNEL_LOST, notLogged.group(2), "0"));
        long laneLost1 = Long.parseLong(first(LANE_LOST, notLogged.group(2), "0"));
        assertTrue(notLogged.group(3).contains("No space left on device"), notLogged.group(3));
        assertTrue(notLogged.group(3).contains("next start writes them to the log as GAP records"), notLogged.group(3));
        Matcher ring1 = only(RING, out1);
        long read1 = Long.parseLong(ring1.group(1));
        long drops1 = Long.parseLong(ring1.group(3));
        long promoted1 = Long.parseLong(only(LANE, out1).group(2));
        assertEquals(notLogged1, kernelLost1 + laneLost1);
        assertTrue(drops1 > 0 && laneLost1 > 0, "the kernel dropped and the lane held events when the run ended");
        try (LossJournal j = LossJournal.open(data.resolve(LossJournal.FILE))) {
            assertEquals(notLogged1, j.total(), "the loss journal holds what the run did not log: " + j.entries());
        }
        ChainVerifier.Report whileFull = verify();
        assertTrue(whileFull.ok(), whileFull.line());
        long gappedInRun = whileFull.gapLost().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(drops1, whileFull.gapLost().getOrDefault(LossSource.SECURITY_RING, 0L) + kernelLost1,
                "every kernel drop of run 1 is in a GAP record or in the loss journal");

        // run 2: space again; the journal's losses go first, as GAP records
        Files.delete(filler);
        Path err2 = tmp.resolve("run2.err");
        Process run2 = agent(err2, "run", "--data-dir", data.toString(), "--mode", "audit", "--duration", "2s");
        assertTrue(run2.waitFor(60, TimeUnit.SECONDS), "run 2 ended");
        String out2 = Files.readString(err2);
        System.out.println("full disk, run 2 (stderr):\n" + out2);
        assertEquals(0, run2.exitValue(), out2);
        assertTrue(out2.contains("twinlane: wrote the loss journal's " + notLogged1 + " lost events"), out2);
        long drops2 = Long.parseLong(only(RING, out2).group(3));
        try (LossJournal j = LossJournal.open(data.resolve(LossJournal.FILE))) {
            assertEquals(0, j.total(), "the journal forgot what the log now holds");
        }

        ChainVerifier.Report r = verify();
        String line = r.line() + VerifyCommand.lost(r);
        System.out.println("full disk, verify: " + line);
        assertTrue(r.ok(), line);
        Map<Integer, Long> lost = r.gapLost();
        assertEquals(drops1 + drops2, lost.getOrDefault(LossSource.SECURITY_RING, 0L),
                "GAP records of the security ring = the kernel's final drop counts");
        assertEquals(laneLost1, lost.getOrDefault(LossSource.SECURITY_LANE, 0L),
                "GAP records of the security lane = what the lane read and could not append");
        assertEquals(gappedInRun + notLogged1 + drops2, lost.values().stream().mapToLong(Long::longValue).sum());
        assertTrue(line.contains(laneLost1 + " security lane (user space)"), line);

        // the log against the kernel's figures and the workload's own count
        long logged1 = 0;
        long openedLogged = 0;
        long journalGapSeq = Long.MAX_VALUE;
        List<LogContents.Entry> entries = LogContents.security(data, KeyRing.load(data.resolve("keys/security.key")));
        for (LogContents.Entry e : entries) {
            if (e.kind() == Kinds.GAP && ByteBuffer.wrap(e.payload()).order(ByteOrder.LITTLE_ENDIAN).getInt(8)
                    == LossSource.SECURITY_LANE) {
                journalGapSeq = Math.min(journalGapSeq, e.seq());
            }
        }
        for (LogContents.Entry e : entries) {
            if (e.kind() > Kinds.MAX_APP_KIND || e.seq() > journalGapSeq) {
                continue;
            }
            logged1++;
            RecordView v = new RecordView().wrap(e.payload(), 0, e.payload().length);
            if (v.kind() == RecordKind.FILE_OPEN && v.text("path").equals(watched.toString())) {
                openedLogged++;
            }
        }
        assertEquals(read1 + promoted1, logged1 + laneLost1,
                "run 1: every record read from the ring (or promoted) is in the log or in the lane's loss count");
        assertTrue(read1 + drops1 >= opens, "the kernel produced a record for each of the workload's opens (read or"
                + " dropped): " + (read1 + drops1));
        assertTrue(openedLogged < opens, "the full disk cost some of the workload's opens");
        assertTrue(openedLogged + notLogged1 >= opens, "logged opens + losses cover the workload's " + opens + " opens");
        System.out.printf("full disk: workload %d opens in %.2f s; run 1: the kernel produced %d security records (%d"
                        + " read, +%d promoted, %d dropped), logged %d (%d of the workload's opens), lane lost %d; not logged"
                        + " %d = GAP records after run 2 (%d) minus run 2's own drops (%d); stop %.1f s after --duration%n",
                opens, workload / 1e9, read1 + drops1, read1, promoted1, drops1, logged1, openedLogged, laneLost1,
                notLogged1, lost.values().stream().mapToLong(Long::longValue).sum(), drops2, stopSeconds);
    }

    @Test
    void whenSpaceReturnsMidRunTheJournalAndTheKernelDropsBecomeGapRecordsAtOnce() throws Exception {
        // run 1 ends on a full disk: its losses go to the journal
        Path err1 = tmp.resolve("run1.err");
        Process run1 = agent(err1, "run", "--data-dir", data.toString(), "--mode", "audit", "--watch",
                watched.toString(), "--duration", "4s");
        awaitLine(run1, err1, "twinlane: mode ");
        Path filler = fill(mnt.resolve("filler"));
        openLoop(100_000);
        assertTrue(run1.waitFor(60, TimeUnit.SECONDS), "run 1 ended");
        String out1 = Files.readString(err1);
        assertEquals(1, run1.exitValue(), out1);
        Matcher notLogged = only(NOT_LOGGED, out1);
        long notLogged1 = Long.parseLong(notLogged.group(1));
        long laneLost1 = Long.parseLong(first(LANE_LOST, notLogged.group(2), "0"));
        long drops1 = Long.parseLong(only(RING, out1).group(3));

        // run 2 starts on the still full disk: the journal waits; space comes back mid-run
        Path err2 = tmp.resolve("run2.err");
        Process run2 = agent(err2, "run", "--data-dir", data.toString(), "--mode", "audit", "--watch",
                watched.toString(), "--duration", "8s");
        awaitLine(run2, err2, "twinlane: mode ");
        assertTrue(Files.readString(err2).contains("the security log cannot take their GAP records yet"),
                Files.readString(err2));
        openLoop(100_000);
        awaitLine(run2, err2, "twinlane security lane: the security log cannot append");
        Files.delete(filler);
        awaitLine(run2, err2, "twinlane security lane: appends resumed");
        openLoop(1_000);
        assertTrue(run2.waitFor(60, TimeUnit.SECONDS), "run 2 ended");
        String out2 = Files.readString(err2);
        System.out.println("full disk, run 2 with space back mid-run (stderr):\n" + out2);
        assertEquals(0, run2.exitValue(), "everything of run 2 is in the log: " + out2);
        assertTrue(out2.contains("twinlane: wrote the loss journal's " + notLogged1 + " lost events"), out2);
        long drops2 = Long.parseLong(only(RING, out2).group(3));
        assertTrue(drops2 > 0, "the kernel dropped while the disk was full in run 2");
        try (LossJournal j = LossJournal.open(data.resolve(LossJournal.FILE))) {
            assertEquals(0, j.total(), "the journal forgot what the log now holds: " + j.entries());
        }

        ChainVerifier.Report r = verify();
        String line = r.line() + VerifyCommand.lost(r);
        System.out.println("full disk, verify: " + line);
        assertTrue(r.ok(), line);
        assertEquals(drops1 + drops2, r.gapLost().getOrDefault(LossSource.SECURITY_RING, 0L),
                "GAP records of the security ring = both runs' final kernel drop counts");
        assertEquals(laneLost1, r.gapLost().getOrDefault(LossSource.SECURITY_LANE, 0L), "and the lane's loss of run 1");
        System.out.printf("full disk, space back mid-run: run 1 not logged %d (kernel %d, lane %d); run 2 kernel drops %d,"
                + " in GAP records at once; verify: %s%n", notLogged1, drops1, laneLost1, drops2, line);
    }

    @Test
    void sigtermOnAFullDiskEndsTheRunAndStatusNamesTheProblem() throws Exception {
        Path status = tmp.resolve("agent.status");
        Path err = tmp.resolve("run.err");
        Process run = agent(err, status, "run", "--data-dir", data.toString(), "--mode", "audit", "--watch",
                watched.toString());
        awaitLine(run, err, "twinlane: mode ");
        while (!Files.exists(status)) {
            Thread.sleep(50);
        }
        Path statusErr = tmp.resolve("status0.err");
        assertEquals(0, agent(statusErr, status, "status").waitFor(), "healthy at first: " + Files.readString(statusErr));
        fill(mnt.resolve("filler"));
        openLoop(100_000);
        awaitLine(run, err, "twinlane security lane: the security log cannot append");
        Thread.sleep(1500);   // the status file is rewritten every second

        Path statusOut = tmp.resolve("status.err");
        Process st = agent(statusOut, status, "status");
        assertTrue(st.waitFor(60, TimeUnit.SECONDS));
        String stErr = Files.readString(statusOut);
        System.out.println("full disk, status (stderr): " + stErr);
        assertEquals(1, st.exitValue(), "status exits 1 while the security log is unhealthy");
        assertTrue(stErr.contains("twinlane status: security log " + data.resolve("security") + " is unhealthy: append:"), stErr);
        assertTrue(stErr.contains("No space left on device"), stErr);

        long stop = System.nanoTime();
        run.destroy();   // SIGTERM
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the agent ended");
        double seconds = (System.nanoTime() - stop) / 1e9;
        String out = Files.readString(err);
        System.out.println("full disk, SIGTERM run (stderr):\n" + out);
        assertTrue(seconds < 10, "SIGTERM honoured on a full disk within 10 s: " + seconds + " s");
        assertEquals(143, run.exitValue(), "the exit of a SIGTERM");
        Matcher notLogged = only(NOT_LOGGED, out);
        try (LossJournal j = LossJournal.open(data.resolve(LossJournal.FILE))) {
            assertEquals(Long.parseLong(notLogged.group(1)), j.total(), "the loss journal holds them: " + j.entries());
        }
        assertFalse(out.contains("JVM may crash"), "no Chronicle disk-space warnings");
        System.out.printf("full disk: SIGTERM ended the run in %.1f s; %s events not logged, in the loss journal%n",
                seconds, notLogged.group(1));
    }

    private ChainVerifier.Report verify() throws IOException {
        return new ChainVerifier(KeyRing.load(data.resolve("keys/security.key")),
                SealKey.loadPublic(data.resolve("keys/seal.pub"))).verify(data.resolve("security"), null);
    }

    private Process agent(Path err, String... args) throws IOException {
        return agent(err, tmp.resolve("agent.status"), args);
    }

    private Process agent(Path err, Path status, String... args) throws IOException {
        Process p = AgentProcess.start(err, status, args);
        children.add(p);
        return p;
    }

    private static long awaitLine(Process p, Path err, String prefix) throws Exception {
        return AgentProcess.awaitLine(p, err, prefix);
    }

    /** Writes {@code filler} until the tmpfs is full. */
    private static Path fill(Path filler) throws IOException {
        byte[] mb = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(mb);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("space")) {
                throw e;
            }
        }
        return filler;
    }

    /** A shell opening the watched file {@code n} times (a builtin redirection: an openat, no exec); its time in ns. */
    private long openLoop(int n) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt " + n + " ]; do : < '" + watched
                + "'; i=$((i+1)); done; echo $i").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        assertEquals(String.valueOf(n), out, "the workload's own count of opens");
        return System.nanoTime() - t0;
    }

    private static Matcher only(Pattern p, String text) {
        Matcher found = null;
        for (String l : text.split("\n")) {
            Matcher m = p.matcher(l);
            if (m.lookingAt()) {
                assertTrue(found == null, "one line matching " + p + ":\n" + text);
                found = m;
            }
        }
        assertTrue(found != null, "a line matching " + p + ":\n" + text);
        return found;
    }

    private static String first(Pattern p, String text, String otherwise) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : otherwise;
    }

    private static int count(String text, String needle) {
        return (int) text.lines().filter(l -> l.contains(needle)).count();
    }
}
