package dev.twinlane.wal;

/** Where record times come from; replaceable so tests can move time. */
interface WalClock {
    /** Wall clock, ns since the Unix epoch (millisecond resolution from the JDK). */
    long wallNanos();

    /** CLOCK_MONOTONIC, ns. */
    long monoNanos();

    WalClock SYSTEM = new WalClock() {
        @Override
        public long wallNanos() {
            return System.currentTimeMillis() * 1_000_000L;
        }

        @Override
        public long monoNanos() {
            return System.nanoTime();
        }
    };
}
