package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `twinlane demo` as a user runs it, in a child JVM (root: the agent loads BPF programs; Debian's
 * prometheus, installed as CI would): the summary must show both lanes, the denial, the planted
 * exec verified at the SIEM, a verified chain and Prometheus's answers, with the SIEM's event count
 * equal to what the agent's security lane appended; and no process it started may outlive it, at
 * its end or after Ctrl-C.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void summaryShowsBothLanesTheDenialAVerifiedChainAndNothingOutlivesIt() throws Exception {
        Path out = tmp.resolve("demo.out");
        Process demo = start(out);
        Set<ProcessHandle> started = watchUntilExit(demo, 300);
        String o = Files.readString(out);
        System.out.println(o);
        assertEquals(0, demo.exitValue(), o);

        String security = line(o, "    security lane: ");
        assertTrue(count(security, "exec") >= 5, security); // 3 cats, 2 bash, the planted true
        assertTrue(count(security, "file_open") >= DemoWorkload.FILES, security);
        assertTrue(count(security, "connect") >= 2, security);
        assertTrue(count(line(o, "    observability lane: "), "fork") >= 1, o);
        String denial = line(o, "  denial: ");
        assertTrue(denial.contains("Operation not permitted") && denial.contains("record connect decision deny ret -1")
                && denial.contains("disposition Blocked"), denial);
        String planted = line(o, "  planted argv: ");
        assertTrue(planted.contains(DemoWorkload.PLANTED) && planted.contains("verified"), planted);
        String detection = line(o, "  detection: ");
        assertTrue(detection.contains("finding(s) at the SIEM: command_injection") && detection.contains("curl"),
                "the planted argv is a Detection Finding at the SIEM: " + detection);
        assertTrue(count(security, "detection") >= 1, security);
        assertTrue(line(o, "  chain: ").startsWith("  chain: OK "), o);
        long appended = number(o, "security log: (\\d+) records appended by the lane");
        long read = number(o, "security lane: .*\\((\\d+) records\\)");
        long siemEvents = number(o, "  SIEM: (\\d+) OCSF events written");
        long siemVerified = number(o, "OCSF events written to \\S+, (\\d+) verified");
        assertEquals(read, appended, "every security record read was appended");
        assertEquals(appended, siemEvents, "the SIEM wrote one OCSF event per kernel record of the log");
        assertEquals(siemEvents, siemVerified, "each of them verified");
        assertTrue(line(o, "  SIEM: ").endsWith("alerts none"), o);
        assertTrue(number(o, "  Prometheus: up (\\d+);") == 1 && number(o, "lane=\"security\"\\} = (\\d+);") > 0, o);
        assertTrue(o.contains("everything shown."), o);
        assertNothingLeft(o, started, 4);
    }

    @Test
    void ctrlCStopsEverythingItStartedAndRemovesItsDirectory() throws Exception {
        Path out = tmp.resolve("demo.out");
        Process demo = start(out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.readString(out).contains("siem consumer pid")) {
            assertTrue(demo.isAlive() && System.nanoTime() < deadline, "the demo did not start its consumer:\n"
                    + Files.readString(out));
            Thread.sleep(100);
        }
        Set<ProcessHandle> started = new HashSet<>(demo.descendants().toList());
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor());
        Set<ProcessHandle> more = watchUntilExit(demo, 120);
        started.addAll(more);
        String o = Files.readString(out);
        System.out.println(o);
        assertEquals(130, demo.exitValue(), "SIGINT ends the JVM with 128 + 2\n" + o);
        assertTrue(o.contains("stopping what it started"), o);
        assertNothingLeft(o, started, 4);
    }

    @Test
    void keepWantsANewOrEmptyDirectory() throws Exception {
        Files.writeString(tmp.resolve("file"), "x");
        Console c = Console.run("demo", "--keep", tmp.toString());
        assertEquals(2, c.code());
        assertEquals(List.of("twinlane demo: --keep wants a new or empty directory; " + tmp
                + " holds files (see ./twinlane demo --help)"), c.err().lines().toList());
    }

    /** `twinlane demo` in a child JVM, on the conditions it needs (root, Debian's prometheus). */
    private Process start(Path out) throws Exception {
        PipelineTest.requireRoot();
        Prometheus.ensureInstalled();
        return new ProcessBuilder(ChildJvm.command(tmp.resolve("status"), "demo")).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
    }

    /** Every process below the demo seen while it ran (polled every 100 ms), once it has ended. */
    private static Set<ProcessHandle> watchUntilExit(Process demo, int seconds) throws Exception {
        Set<ProcessHandle> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (demo.isAlive()) {
            demo.descendants().forEach(seen::add);
            if (System.nanoTime() > deadline) {
                demo.destroyForcibly();
                fail("the demo still runs after " + seconds + " s");
            }
            Thread.sleep(100);
        }
        return seen;
    }

    /** The demo's processes are gone, and so is its working directory. */
    private static void assertNothingLeft(String output, Set<ProcessHandle> started, int atLeast) {
        assertTrue(started.size() >= atLeast, "prometheus, agent, broker and siem were seen running: " + started);
        for (ProcessHandle h : started) {
            assertFalse(h.isAlive(), "pid " + h.pid() + " " + h.info().commandLine().orElse("") + " outlived the demo");
        }
        Matcher dir = Pattern.compile("working in (\\S+)").matcher(output);
        assertTrue(dir.find(), output);
        assertFalse(Files.exists(Path.of(dir.group(1))), dir.group(1) + " was not removed");
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() ->
                new AssertionError("no line '" + prefix + "' in:\n" + output));
    }

    /** "exec 12" in "security lane: bind 3, exec 12, ..." */
    private static long count(String line, String kind) {
        Matcher m = Pattern.compile("[:,] " + kind + " (\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long number(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), regex + " not in:\n" + output);
        return Long.parseLong(m.group(1));
    }
}
