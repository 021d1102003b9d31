package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.LIBC;
import static dev.twinlane.ingest.Native.libbpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.twinlane.records.Ring;
import jnr.ffi.Pointer;

/**
 * The rings and their counters pinned beside the policy. The pinned cgroup programs keep
 * deciding, and recording, while no agent runs; pinned, their records wait in the rings and
 * their drops in the counters for the next agent, instead of vanishing with maps no one holds.
 */
final class RingPins {
    static final List<String> MAPS = List.of(Ring.SECURITY.mapName(), Ring.OBSERVABILITY.mapName(), "drops",
            "drops_logged", "reader_state");

    private RingPins() {
    }

    /**
     * The size the ring will have: the pinned ring's when one is pinned (a ring cannot be resized
     * without losing what it holds; says so when the configured size differs), else {@code configured}.
     */
    static int size(PinDir pins, Ring ring, int configured) {
        String path = pins.mapPin(ring.mapName());
        if (!Files.exists(Path.of(path))) {
            return configured;
        }
        int fd = libbpf().bpf_obj_get(path);
        if (fd < 0) {
            throw new IngestException("cannot open the pinned ring " + path + ": " + Native.strerror(Native.errno()));
        }
        try {
            Pointer info = Native.allocate(20);
            Pointer len = Native.allocate(4);
            len.putInt(0, 20);  // struct bpf_map_info up to max_entries
            if (libbpf().bpf_obj_get_info_by_fd(fd, info, len) != 0) {
                throw new IngestException("cannot read the pinned ring " + path + ": " + Native.strerror(Native.errno()));
            }
            int pinned = info.getInt(16);
            if (pinned != configured) {
                System.err.println("twinlane ingest: the " + ring.label() + " ring stays at " + pinned + " bytes, the size of"
                        + " the ring pinned at " + path + " (configured: " + configured + "); to resize it, stop the agent and"
                        + " remove " + pins.dir() + " (this ends enforcement until the next start and loses what the"
                        + " rings hold)");
            }
            return pinned;
        } finally {
            LIBC.close(fd);
        }
    }
}
