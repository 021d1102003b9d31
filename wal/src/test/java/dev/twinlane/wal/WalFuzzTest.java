package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A log's files are untrusted on a start (a crash, a full disk, an intruder): bytes overwritten
 * anywhere in a short log's newest file, after a clean close or a pretended reboot, must leave the
 * verifier with one line, and the writer either continuing (a torn tail recovered, every record it
 * then reads whole) or refusing in one line without growing the file. Never a hang or another exception.
 */
class WalFuzzTest {
    @FuzzTest(maxDuration = "3m")
    void damageIsOneLineOrARecoveryNeverACrash(FuzzedDataProvider data) throws Exception {
        Path tmp = Files.createTempDirectory("walfuzz");
        try {
            WalFixture fx = new WalFixture(tmp);
            try (ChainedLog log = fx.open()) {
                for (int i = 0; i < 30; i++) {
                    log.appender().append(2, WalFixture.payload(i, 40 + i * 7));
                }
            }
            if (data.consumeBoolean()) {
                fx.pretendRebooted();
            }
            Path file = fx.newestFile();
            long at = data.consumeLong(0, fx.end() + 256);
            WalFixture.overwrite(file, at, data.consumeBytes(600));
            long size = Files.size(file);

            WalFixture.oneLine(fx.verify().line());
            try (ChainedLog log = fx.open(); ChainReader r = log.reader()) {
                long seq = 0;
                while (r.next()) {
                    assertEquals(++seq, r.seq(), "a log the writer continues reads as one chain, seq by seq");
                }
                assertTrue(seq > 0);
            } catch (WalException e) {
                WalFixture.oneLine(e.getMessage());
                assertEquals(size, Files.size(file), "a refused start grows nothing");
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(WalFuzzTest::delete);
            }
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
