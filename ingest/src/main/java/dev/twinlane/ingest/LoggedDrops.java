package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.Ring;
import jnr.ffi.Pointer;

/**
 * What the security log holds of a ring's kernel drops (the drops_logged map, one struct
 * tl_drops_logged per ring): the drops counter's value up to which GAP records were written,
 * and a boot time no later than any drop not in that count. With a pin directory the map is
 * pinned beside the rings and the counters, so an agent that takes them over writes a GAP
 * for the drops made while no agent ran (its span starts at the last agent's last check)
 * and never again for drops an earlier agent logged.
 *
 * Written after the GAP is handed to the security lane: an agent killed between the two
 * logs those drops again at the next start (counted twice, never lost).
 */
public final class LoggedDrops {
    private static final int COUNT = RecordLayout.DROPS_LOGGED.field("count").offset();
    private static final int SINCE = RecordLayout.DROPS_LOGGED.field("since_boot_ns").offset();

    private final int fd;
    private final Pointer key = Native.allocate(4);
    private final Pointer value = Native.allocate(RecordLayout.DROPS_LOGGED.size());

    LoggedDrops(int fd) {
        this.fd = fd;
    }

    /** The counter value up to which GAP records were written (0: none yet). */
    public synchronized long count(Ring ring) {
        read(ring);
        return value.getLong(COUNT);
    }

    /** Boot time no later than any drop not in {@link #count}; 0 when unknown (any time since boot). */
    public synchronized long sinceBootNs(Ring ring) {
        read(ring);
        return value.getLong(SINCE);
    }

    public synchronized void logged(Ring ring, long count, long sinceBootNs) {
        key.putInt(0, ring.id());
        value.putLong(COUNT, count);
        value.putLong(SINCE, sinceBootNs);
        if (libbpf().bpf_map_update_elem(fd, key, value, 0) != 0) {
            throw new IngestException("cannot write drops_logged: " + Native.strerror(Native.errno()));
        }
    }

    private void read(Ring ring) {
        key.putInt(0, ring.id());
        if (libbpf().bpf_map_lookup_elem(fd, key, value) != 0) {
            throw new IngestException("cannot read drops_logged: " + Native.strerror(Native.errno()));
        }
    }
}
