package dev.twinlane.wal;

import java.nio.file.Path;

/**
 * Child JVM of {@link WriterLockTest}: tries to open the log as a second writer and prints
 * "OPENED" (then appends a record and closes) or "REFUSED &lt;the one-line reason&gt;".
 */
public final class LockChild {
    private LockChild() {
    }

    public static void main(String[] args) {
        try (ChainedLog log = ChainedLog.security(Path.of(args[0])).keys(KeyRing.load(Path.of(args[1])))
                .sealKey(SealKey.load(Path.of(args[2]))).build()) {
            log.appender().append(5, new byte[]{5});
            System.out.println("OPENED " + log.appendedSeq());
        } catch (WalException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
