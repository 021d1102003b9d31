package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `twinlane top` against the real agent (a child JVM watching a file): under tmux (Debian's tmux,
 * installed by scripts/ensure-deps), the screen read back with capture-pane shows the agent's pid and
 * its security lane's records rising with the opens this test makes, then q and Ctrl-C each end it and
 * leave the terminal's settings as they were; with stdout a pipe it prints one key=value line a second.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TopCommandTest {
    private static final int OPENS = 3_000;
    private static final Pattern LANE_ROW = Pattern.compile("(?m)^security\\s+(\\d+)\\s+([-0-9.]+)\\s*$");
    private static final Pattern LOG_ROW = Pattern.compile("(?m)^security\\s+(\\d+)\\s+[-0-9.]+\\s+[-0-9.]+\\s*$");

    @TempDir
    Path tmp;
    private Process agent;
    private Path status;
    private Path watched;
    private String tmuxSocket;

    @BeforeEach
    void startAgent() throws Exception {
        PipelineTest.requireRoot();
        watched = Files.writeString(Files.createDirectories(tmp.resolve("w")).resolve("file"), "x\n");
        status = tmp.resolve("agent.status");
        Path err = tmp.resolve("agent.err");
        agent = AgentProcess.start(err, status, "run", "--data-dir", tmp.resolve("data").toString(), "--mode", "audit",
                "--watch", watched.toString(), "--duration", "10m");
        AgentProcess.awaitLine(agent, err, "twinlane: mode ");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(status) || !Files.readString(status).contains("metrics at ")) {
            assertTrue(System.nanoTime() < deadline, "the agent wrote its status file " + status);
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (tmuxSocket != null) {
            new ProcessBuilder("tmux", "-L", tmuxSocket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void screenUnderTmuxFollowsTheAgentAndQuitRestoresTheTerminal() throws Exception {
        ensure("tmux");
        tmuxSocket = "twinlane-top-test-" + ProcessHandle.current().pid();
        String top = AgentProcess.command(status, "top").stream().map(TopCommandTest::quote)
                .collect(Collectors.joining(" "));
        // bash keeps running after Ctrl-C (its trap runs a command; java gets SIGINT's default action back)
        Path script = Files.writeString(tmp.resolve("top.sh"), String.join("\n",
                "trap 'true' INT", "cd " + quote(tmp.toString()), "stty -g > stty.before",
                top, "echo $? > exit.q", "stty -g > stty.q",
                top, "echo $? > exit.ctrl-c", "stty -g > stty.ctrl-c", "sleep 600", ""));
        tmux("new-session", "-d", "-s", "top", "-x", "120", "-y", "50", "bash " + quote(script.toString()));

        String before = awaitScreen(s -> LANE_ROW.matcher(s).find());
        assertTrue(before.contains("agent pid " + agent.pid()), "the screen names the agent's pid:\n" + before);
        assertTrue(before.contains("mode audit"), before);
        assertTrue(before.lines().anyMatch(l -> l.startsWith("file_open ")), "the hooks are listed:\n" + before);
        long first = securityRecords(before);

        open(watched, OPENS);
        double fastest = 0;
        String after = before;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            after = capture();
            Matcher m = LANE_ROW.matcher(after);
            if (m.find() && !m.group(2).equals("-")) {
                fastest = Math.max(fastest, Double.parseDouble(m.group(2)));
            }
        }
        long last = securityRecords(after);
        Matcher log = LOG_ROW.matcher(after);
        assertTrue(log.find(), "the security log's row:\n" + after);
        System.out.printf("top under tmux: security lane %d -> %d records around %d opens, fastest %.1f records/s,"
                + " durable seq %s%n%s%n", first, last, OPENS, fastest, log.group(1), after);
        assertTrue(last - first >= OPENS, "the screen's security records rose by the opens: " + first + " -> " + last);
        assertTrue(fastest >= OPENS / 4.0, "records/s showed the burst of " + OPENS + " opens: " + fastest);
        assertTrue(Long.parseLong(log.group(1)) >= OPENS, "the durable seq passed the opens:\n" + after);

        tmux("send-keys", "-t", "top", "q");
        assertEquals("0", awaitFile("exit.q"), "q ends top with exit 0");
        assertEquals(Files.readString(tmp.resolve("stty.before")), Files.readString(tmp.resolve("stty.q")),
                "the terminal's settings are restored after q");

        awaitScreen(s -> LANE_ROW.matcher(s).find() && s.contains("(q quits)"));
        tmux("send-keys", "-t", "top", "C-c");
        assertEquals("130", awaitFile("exit.ctrl-c"), "Ctrl-C ends top (SIGINT)");
        assertEquals(Files.readString(tmp.resolve("stty.before")), Files.readString(tmp.resolve("stty.ctrl-c")),
                "the terminal's settings are restored after Ctrl-C");
        assertTrue(agent.isAlive(), "top left the agent running");
    }

    @Test
    void plainLinesWhenStdoutIsNotATerminal() throws Exception {
        Path out = tmp.resolve("top.out");
        Process top = new ProcessBuilder(AgentProcess.command(status, "top", "--iterations", "4"))
                .redirectOutput(out.toFile()).redirectError(tmp.resolve("top.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.readString(out).isEmpty()) {
            assertTrue(System.nanoTime() < deadline && top.isAlive(), "a first line:" + Files.readString(tmp.resolve("top.err")));
            Thread.sleep(20);
        }
        open(watched, OPENS);
        assertTrue(top.waitFor(30, TimeUnit.SECONDS), "top --iterations 4 ends by itself");
        assertEquals(0, top.exitValue(), Files.readString(tmp.resolve("top.err")));
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        System.out.println("top, stdout a file:\n" + String.join("\n", lines));
        assertEquals(4, lines.size(), "one line per refresh, nothing else");
        List<Map<String, String>> fields = new ArrayList<>();
        for (String l : lines) {
            assertTrue(l.startsWith("time="), l);
            assertTrue(!l.contains("\u001b"), "no escape sequences in plain lines");
            fields.add(java.util.Arrays.stream(l.split(" ")).map(kv -> kv.split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1])));
        }
        long firstRecords = Long.parseLong(fields.get(0).get("security_records"));
        long lastRecords = Long.parseLong(fields.get(3).get("security_records"));
        assertTrue(lastRecords - firstRecords >= OPENS, firstRecords + " -> " + lastRecords);
        assertTrue(fields.stream().map(f -> f.get("security_per_s")).filter(v -> !v.equals("-"))
                .mapToDouble(Double::parseDouble).max().orElse(0) > 0, "a rate above zero");
        assertEquals("0", fields.get(3).get("problems"));
    }

    @Test
    void noAgentIsOneLineAndExitOne() throws Exception {
        agent.destroy();
        agent.waitFor(60, TimeUnit.SECONDS);
        Process top = new ProcessBuilder(AgentProcess.command(status, "top")).redirectErrorStream(true).start();
        String said = new String(top.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, top.waitFor());
        assertEquals("twinlane top: no agent running (no live status file " + status + ")\n", said);
    }

    private static long securityRecords(String screen) {
        Matcher m = LANE_ROW.matcher(screen);
        assertTrue(m.find(), "the security lane's row:\n" + screen);
        return Long.parseLong(m.group(1));
    }

    private String awaitScreen(java.util.function.Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String s = "";
        while (System.nanoTime() < deadline) {
            s = capture();
            if (ready.test(s)) {
                return s;
            }
            Thread.sleep(200);
        }
        fail("top's screen did not appear in 60 s; the pane shows:\n" + s);
        return s;
    }

    private String awaitFile(String name) throws Exception {
        Path f = tmp.resolve(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(f) || Files.readString(f).isBlank()) {
            if (System.nanoTime() > deadline) {
                fail(name + " not written in 20 s; the pane shows:\n" + capture());
            }
            Thread.sleep(100);
        }
        return Files.readString(f).trim();
    }

    private String capture() throws Exception {
        return tmux("capture-pane", "-p", "-t", "top");
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", tmuxSocket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static void ensure(String what) throws Exception {
        Process deps = new ProcessBuilder(Prometheus.repoRoot().resolve("scripts/ensure-deps").toString(), what)
                .inheritIO().start();
        assertEquals(0, deps.waitFor(), "scripts/ensure-deps " + what);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void open(Path file, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.read();
            }
        }
    }
}
