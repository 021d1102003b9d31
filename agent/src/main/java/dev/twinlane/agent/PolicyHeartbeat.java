package dev.twinlane.agent;

import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.twinlane.ingest.Deadman;

/**
 * One small scheduled thread, "policy-heartbeat": renews the deadman every third of its ttl
 * (recording a lapse it finds first), and once a second compares the policy denials counted
 * by {@link DenyRate} with the revert threshold and ends an expired break-glass, and every {@code tamper_check} reads the policy
 * maps back ({@link PolicyPlane#checkTamper()}); every {@link #PREPARE_MILLIS} ms it empties the
 * slot an apply left behind ({@link PolicyPlane#prepareNextSlot()}). Its own thread, not the status
 * file's: the deadman must lapse when the agent stops renewing, and must not when a status write is slow.
 */
final class PolicyHeartbeat implements AutoCloseable {
    private final PolicySettings settings;
    private final Deadman deadman;
    private final PolicyPlane plane;
    private final DenyRate denies;
    /**
     * How often the old slot is looked at: an apply's grace (100 ms) and this, and the next apply
     * finds it empty. Most looks find nothing to do (a flag and one read of policy_active).
     */
    static final long PREPARE_MILLIS = 250;
    private final ScheduledExecutorService thread = DaemonThreads.scheduler("policy-heartbeat");
    /** Tests stop renewing (to see the deadman lapse) and checking (to see a tampered map at work). */
    private volatile boolean paused;
    private long lastTotal;
    private int secondsAbove;

    PolicyHeartbeat(PolicySettings settings, Deadman deadman, PolicyPlane plane, DenyRate denies) {
        this.settings = settings;
        this.deadman = deadman;
        this.plane = plane;
        this.denies = denies;
    }

    PolicyHeartbeat start() {
        if (settings.deadmanTtl.isZero()) {
            deadman.disarm();   // an earlier agent's deadline, pinned, must not lapse now that the switch is off
        } else {
            renew();             // before the first period: an earlier agent's deadline may be near
            long period = Math.max(settings.deadmanTtl.toNanos() / 3, 1_000_000L);
            thread.scheduleAtFixedRate(this::renewQuietly, period, period, TimeUnit.NANOSECONDS);
        }
        if (!settings.tamperCheck.isZero()) {
            long period = settings.tamperCheck.toNanos();
            thread.scheduleAtFixedRate(this::checkTamper, period, period, TimeUnit.NANOSECONDS);
        }
        thread.scheduleAtFixedRate(this::checkExpiries, 1, 1, TimeUnit.SECONDS);
        thread.scheduleAtFixedRate(this::prepareNextSlot, PREPARE_MILLIS, PREPARE_MILLIS, TimeUnit.MILLISECONDS);
        if (settings.denyRateRevert > 0) {
            lastTotal = denies.total();
            thread.scheduleAtFixedRate(this::checkDenyRate, 1, 1, TimeUnit.SECONDS);
        }
        return this;
    }

    void pause(boolean p) {
        paused = p;
    }

    /** Renews now (tests; and the scheduled renewal). */
    void renew() {
        if (deadman.lapseSeen()) {
            plane.deadmanLapsed("the deadman (ttl " + settings.deadmanTtl.toMillis() + " ms) lapsed before this"
                    + " renewal: the cgroup programs decided audit-only in between (records flagged deadman)");
        }
        deadman.renew(settings.deadmanTtl);
    }

    private void renewQuietly() {
        if (!paused) {
            quietly("deadman renewal", this::renew);
        }
    }

    /** A scheduled task's work: one that throws is never run again, so a failure is said and the next run tries again. */
    private static void quietly(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            System.err.println("twinlane policy: " + what + " failed: " + e.getMessage());
        }
    }

    private void checkTamper() {
        if (paused) {
            return;
        }
        try {
            plane.checkTamper();
        } catch (RuntimeException e) {   // a scheduled task that throws is never run again
            plane.tamperCheckFailed(e);
        }
    }

    /** A break-glass whose token expired ends, and an expired whitelist entry leaves the kernel, within a second. */
    private void checkExpiries() {
        quietly("expiry check", () -> {
            Instant now = Instant.now();
            plane.expireBreakGlass(now);
            plane.checkWhitelist(now);
        });
    }

    private void prepareNextSlot() {
        if (!paused) {
            quietly("emptying the inactive slot", plane::prepareNextSlot);
        }
    }

    private void checkDenyRate() {
        quietly("deny-rate check", this::checkDenyRateOnce);
    }

    private void checkDenyRateOnce() {
        long total = denies.total();
        long perSecond = total - lastTotal;
        lastTotal = total;
        secondsAbove = perSecond > settings.denyRateRevert ? secondsAbove + 1 : 0;
        long window = settings.denyRateWindow.toSeconds();
        if (secondsAbove >= window) {
            secondsAbove = 0;
            plane.revert("more than " + settings.denyRateRevert + " policy denials a second for " + window
                    + " s (last second: " + perSecond + ")");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
