package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per log, and deleting wal.lock does not let a second one in: the writer also holds
 * an flock(2) on the log directory itself, which no file deletion releases. Tried in this JVM and
 * from a second process.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WriterLockTest {
    @TempDir
    Path tmp;

    @Test
    void deletingTheLockFileAdmitsNoSecondWriterInThisJvm() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            log.appender().append(1, new byte[]{1});
            Files.delete(fx.wal.resolve(ChainedLog.LOCK_FILE));
            WalException e = assertThrows(WalException.class, fx::open);
            WalFixture.oneLine(e.getMessage());
            assertTrue(e.getMessage().contains("another writer has " + fx.wal + " open"), e.getMessage());
            log.appender().append(1, new byte[]{2});
            System.out.println("second open in this JVM, wal.lock deleted: " + e.getMessage());
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
    }

    @Test
    void deletingTheLockFileAdmitsNoSecondWriterProcess() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long before;
        try (ChainedLog log = fx.open()) {
            for (int i = 0; i < 100; i++) {
                log.appender().append(1, WalFixture.payload(i, 50));
            }
            Files.delete(fx.wal.resolve(ChainedLog.LOCK_FILE));
            String out = child(fx);
            assertTrue(out.startsWith("REFUSED ") && out.contains("another writer has " + fx.wal + " open"), out);
            System.out.println("second writer process, wal.lock deleted: " + out);
            before = log.appendedSeq();
            log.appender().append(1, new byte[]{3});
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), "no record of a second writer inside the chain: " + r.line());
        assertEquals(before + 2, r.lastSeq(), "this writer's record and its final SEAL");
        String out = child(fx); // once the writer is gone, the next one may open it
        assertTrue(out.startsWith("OPENED "), out);
        assertTrue(fx.verify().ok(), fx.verify().line());
        System.out.println("after the first writer closed: " + out + "; " + fx.verify().line());
    }

    private static String child(WalFixture fx) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx128m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LockChild.class.getName());
        cmd.add(fx.wal.toString());
        cmd.add(fx.keyFile.toString());
        cmd.add(fx.sealPrivate.toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
        return out;
    }
}
