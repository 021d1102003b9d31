package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ChainedLogTest {
    @TempDir
    Path tmp;

    @Test
    void appendsCloseReopenContinueVerify() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        long last;
        try (ChainedLog log = fx.open()) {
            for (int i = 0; i < 1000; i++) {
                log.appender().append(1 + i % 3, WalFixture.payload(i, 100 + i % 50));
            }
            log.appender().gap(17, 2, 1000, 2000);
            last = log.appender().appendedSeq();
        }
        ChainVerifier.Report r = fx.verify();
        assertTrue(r.ok(), r.line());
        assertEquals(last + 1, r.lastSeq(), "the close sealed the last record");
        try (ChainedLog log = fx.open()) {
            assertEquals(last + 1, log.appendedSeq());
            assertEquals(last + 2, log.appender().append(7, new byte[10]));
        }
        r = fx.verify();
        assertTrue(r.ok(), r.line());
        System.out.println(r.line());
    }
}
