package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.time.Duration;

import jnr.ffi.Pointer;

/**
 * The deadman switch (policy_deadman, struct tl_deadman): a deadline in boot-time nanoseconds
 * that the agent's heartbeat pushes forward. Past it the programs decide audit-only: a matched
 * rule is recorded as audit_deny, flagged TL_FLAG_DEADMAN, and the first such decision also
 * TL_FLAG_DEADMAN_FIRST. An agent that stops renewing (hung, killed, its host starved) thus
 * neither keeps enforcing a policy nobody watches nor silently stops recording.
 */
public final class Deadman {
    private final int fd;
    private final Pointer key = Native.allocate(4);
    private final Pointer value = Native.allocate(16);
    /** The deadline this process last wrote; -1 until it wrote one (nothing to compare). */
    private volatile long written = -1;

    Deadman(int fd) {
        this.fd = fd;
    }

    /** Sets the deadline to now + ttl and re-arms the "first lapse" flag. */
    public void renew(Duration ttl) {
        write(KernelClock.bootNanos() + ttl.toNanos());
    }

    /** No deadline: decisions follow the policy's mode however long the agent is silent. */
    public void disarm() {
        write(0);
    }

    /** The deadline in boot-time nanoseconds, 0 when disarmed. */
    public long deadlineNanos() {
        read();
        return value.getLong(0);
    }

    /** A program has decided past the deadline since the last renewal. */
    public boolean lapseSeen() {
        read();
        return value.getLong(8) != 0;
    }

    /**
     * The tamper check: the deadline in the map, when it is not the one this process last wrote
     * (another process disarmed or moved it), else -1. lapse_seen is the programs' to set, not compared.
     */
    public long foreignDeadline() {
        long want = written;
        if (want < 0) {
            return -1;
        }
        long held = deadlineNanos();
        return held == want ? -1 : held;
    }

    /** The deadline this process last wrote (-1: none). */
    public long writtenDeadline() {
        return written;
    }

    /** Writes back the deadline this process last wrote, after {@link #foreignDeadline()} found another. */
    public void restore() {
        if (written >= 0) {
            write(written);
        }
    }

    private void write(long deadline) {
        key.putInt(0, 0);
        value.putLong(0, deadline);
        value.putLong(8, 0);
        if (libbpf().bpf_map_update_elem(fd, key, value, 0) != 0) {
            throw new IngestException("cannot write policy_deadman: " + Native.strerror(Native.errno()));
        }
        written = deadline;
    }

    private void read() {
        key.putInt(0, 0);
        if (libbpf().bpf_map_lookup_elem(fd, key, value) != 0) {
            throw new IngestException("cannot read policy_deadman: " + Native.strerror(Native.errno()));
        }
    }
}
