package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.cli.Cli;
import dev.twinlane.cli.UsageException;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.WalException;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.ParameterException;

/**
 * The agent's logs and their identities (DATA/state/NAME.identity, outside DATA/NAME): the
 * security directory deleted (keys kept) is refused with one line, and `run --start-new-log
 * REASON` starts a new security log whose NEW_LOG record names the old one and the reason, while
 * the observability log, which is fine, just continues. No kernel needed: only the logs are opened.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StartNewLogTest {
    @TempDir
    Path tmp;

    private AgentConfig config(Path data, String... more) throws UsageException {
        String[] args = Stream.concat(Stream.of("--data-dir", data.toString()), Stream.of(more)).toArray(String[]::new);
        AgentConfig c = RunCommand.parse(args).config();
        c.securityRealtimePriority = 0;
        return c;
    }

    private static void close(Pipeline.Logs logs) {
        logs.security().close();
        logs.observability().close();
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDeletedSecurityDirectoryIsRefusedThenReplacedWithTheReasonRecorded() throws Exception {
        Path data = tmp.resolve("data");
        String oldSecurity;
        String observability;
        Pipeline.Logs logs = Pipeline.openLogs(config(data), new SimpleMeterRegistry());
        try {
            oldSecurity = logs.security().logId();
            observability = logs.observability().logId();
            for (int i = 0; i < 50; i++) {
                logs.security().appender().append(1, new byte[]{(byte) i});
            }
        } finally {
            close(logs);
        }
        assertTrue(Files.exists(data.resolve("state/security.identity")) && Files.exists(data.resolve("state/observability.identity")));
        delete(data.resolve("security")); // (f): the security directory deleted, keys kept

        WalException e = assertThrows(WalException.class, () -> Pipeline.openLogs(config(data), new SimpleMeterRegistry()));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("holds no log, but log " + oldSecurity)
                && e.getMessage().contains("--start-new-log REASON"), e.getMessage());
        assertTrue(!Files.exists(data.resolve("security/metadata.cq4t")), "no new chain was started");
        System.out.println("twinlane run: " + e.getMessage());

        logs = Pipeline.openLogs(config(data, "--start-new-log", "security directory lost (ticket 4711)"),
                new SimpleMeterRegistry());
        try {
            assertNotEquals(oldSecurity, logs.security().logId());
            assertEquals(observability, logs.observability().logId(), "the observability log was fine: it continues");
            System.out.println("security log: " + logs.security().recovery());
            System.out.println("observability log: " + logs.observability().recovery());
        } finally {
            close(logs);
        }
        KeyRing keys = KeyRing.load(data.resolve("keys/security.key"));
        List<LogContents.Entry> sec = LogContents.security(data, keys);
        assertEquals(Kinds.NEW_LOG, sec.get(1).kind());
        byte[] p = sec.get(1).payload();
        NewLog n = NewLog.decode(p, 0, p.length);
        assertEquals(oldSecurity, n.previousLogIdHex());
        assertEquals(52, n.previousLastSeq(), "GENESIS, 50 records and the final SEAL were durable");
        assertEquals("missing", n.causeName());
        assertEquals("security directory lost (ticket 4711)", n.reason());
        ChainVerifier.Report r = new ChainVerifier(keys, SealKey.loadPublic(data.resolve("keys/seal.pub")))
                .verify(data.resolve("security"), null);
        assertTrue(r.ok(), r.line());
        for (LogContents.Entry x : LogContents.observability(data, keys)) {
            assertTrue(x.kind() != Kinds.NEW_LOG && x.kind() != Kinds.RECOVERY, "clean stops only: kind " + x.kind());
        }
        System.out.println("new security log: " + r.line() + "; NEW_LOG names " + n.previousLogIdHex() + " up to seq "
                + n.previousLastSeq() + ", reason '" + n.reason() + "'");
    }

    @Test
    void startNewLogWantsAReason() {
        assertEquals("--start-new-log needs a value", refusal("--start-new-log"));
        // an option where the reason should be: picocli does not take it as the value
        assertEquals("--start-new-log needs a value", refusal("--start-new-log", "--record-all-opens"));
        assertTrue(refusal("--start-new-log=").startsWith("--start-new-log wants a reason"));
        assertTrue(refusal("--start-new-log", "--mistyped").startsWith("--start-new-log wants a reason"));
    }

    private String refusal(String... options) {
        return Cli.problem(assertThrows(ParameterException.class, () -> config(tmp, options)));
    }
}
