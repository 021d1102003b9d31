package dev.twinlane.wal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * Child JVM of {@link CrashRecoveryTest}: opens the log (recovering it), prints "R &lt;seq&gt;"
 * with the last seq it found, then appends under load and prints "D &lt;seq&gt;" each time the
 * durable seq moves, until it is killed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) {
        Path wal = Path.of(args[0]);
        ChainedLog log = ChainedLog.security(wal)
                .keys(KeyRing.load(Path.of(args[1])))
                .sealKey(SealKey.load(Path.of(args[2])))
                .epochEvery(5_000, Duration.ofSeconds(1))
                .sealEvery(20_000, Duration.ofMillis(300))
                .syncEvery(Duration.ofMillis(20))
                .rollCycle(TestRollCycles.TEST_SECONDLY)
                .onDurable(seq -> {
                    System.out.println("D " + seq);
                    System.out.flush();
                })
                .build();
        // the seq it continues from (the RECOVERY record's, after an unclean stop) and what it found
        System.out.println("R " + log.appendedSeq() + " " + log.recovery());
        System.out.flush();
        Random rnd = new Random();
        byte[] buf = new byte[48 << 10];
        byte[] head = new byte[600];
        rnd.nextBytes(buf);
        long i = 0;
        while (true) {
            for (int k = 0; k < 40; k++, i++) {
                rnd.nextBytes(head); // new bytes at the front; the rest stays random
                System.arraycopy(head, 0, buf, 0, head.length);
                // mostly small records, every 16th a large one: its copy into the file is a write
                // long enough for the test's kills to land in it often
                int len = i % 16 == 0 ? (16 << 10) + rnd.nextInt(32 << 10) : 16 + rnd.nextInt(500);
                log.appender().append(1 + (int) (i % 5), buf, 0, len);
            }
            if (i % 4000 == 0) {
                log.appender().gap(i, 3, i, i + 1);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
