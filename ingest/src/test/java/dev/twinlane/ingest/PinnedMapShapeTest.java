package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.twinlane.policy.PolicyMap;

/**
 * A policy map pinned by a version that declared it otherwise (here: the limit and the
 * BPF_F_NO_PREALLOC of the slots' hash maps before they were preallocated) is refused by name,
 * with the way out, instead of libbpf's bare EINVAL for the whole load. Needs root and bpftool.
 */
class PinnedMapShapeTest {
    @Test
    void aPolicyMapPinnedWithOtherLimitsAndFlagsIsRefusedByName() throws Exception {
        Root.require();
        Path pins = Path.of("/sys/fs/bpf/twinlane-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(pins);
        try {
            bpftool("map", "create", pins.resolve("pdeny_inode_s0").toString(), "type", "hash", "key", "16", "value",
                    "1", "entries", "65536", "name", "pdeny_inode_s0", "flags", "1");
            IngestException e = assertThrows(IngestException.class, () -> KernelIngest.start(new IngestConfig()
                    .pinDir(pins).syscallSampleRate(0).audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream())))));
            assertTrue(e.getMessage().startsWith("the map pdeny_inode_s0 pinned at " + pins.resolve("pdeny_inode_s0")
                    + " is type 1, key 16 B, value 1 B, max_entries 65536, flags 0x1, this agent's is type 1, key 16 B,"
                    + " value 1 B, max_entries " + PolicyMap.DENY_INODE.maxEntries() + ", flags 0x0 (pinned by another"
                    + " twinlane version)"), e.getMessage());
        } finally {
            PinDir.remove(pins);
        }
    }

    private static void bpftool(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "bpftool";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
