package dev.twinlane.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;

/**
 * Test helper: every record of a closed log, as (kind, payload). Reopening it is a real recovery,
 * with the identity file the agent keeps (so a clean stop is known as one).
 */
final class LogContents {
    record Entry(long seq, int kind, byte[] payload) {
    }

    private LogContents() {
    }

    static List<Entry> read(ChainedLog.Builder builder, KeyRing keys) {
        List<Entry> out = new ArrayList<>();
        try (ChainedLog log = builder.keys(keys).maxPayload(16 << 20).build(); ChainReader r = log.reader()) {
            while (r.next()) {
                out.add(new Entry(r.seq(), r.kind(),
                        Arrays.copyOfRange(r.bytes(), r.payloadOffset(), r.payloadOffset() + r.payloadLength())));
            }
        }
        return out;
    }

    static List<Entry> security(Path dataDir, KeyRing keys) {
        return read(ChainedLog.security(dataDir.resolve("security"))
                .identityFile(Pipeline.identityFile(dataDir, "security")), keys);
    }

    static List<Entry> observability(Path dataDir, KeyRing keys) {
        return read(ChainedLog.observability(dataDir.resolve("observability"))
                .identityFile(Pipeline.identityFile(dataDir, "observability")), keys);
    }
}
