package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import jnr.ffi.Pointer;

/**
 * The host side of self-protection (the BPF LSM that enforces it is refused on this host; the
 * kernel lab shows the refusals): the ids the loader protects are the kernel's ids of
 * twinlane's maps and programs, as bpftool reports them, and tl_config and the protection maps
 * are frozen, while the maps the agent rewrites (deny and policy maps) are not. Needs root.
 */
class SelfProtectionTest {
    @Test
    void protectedIdsAreTheKernelsAndConfigurationMapsAreFrozen() throws Exception {
        Root.require();
        try (KernelIngest kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(0)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))))) {
            SelfProtection p = kernel.selfProtection();
            int denyInode = p.mapId("deny_inode");
            assertTrue(bpftool("map", "show", "id", String.valueOf(denyInode)).contains("\"name\":\"deny_inode\""),
                    "map id " + denyInode + " is deny_inode");
            Map<String, Integer> progs = p.programIds();
            assertTrue(progs.containsKey("tl_connect4"), "cgroup programs protected: " + progs);
            assertTrue(bpftool("prog", "show", "id", String.valueOf(progs.get("tl_connect4")))
                    .contains("\"name\":\"tl_connect4\""), "program id of tl_connect4");

            Integer link = p.linkIds().get("tl_connect4");
            assertTrue(link != null && bpftool("link", "show", "id", String.valueOf(link)).contains("\"prog_id\":"
                    + progs.get("tl_connect4")), "link id of tl_connect4's cgroup link: " + p.linkIds());

            Pointer key = Native.allocate(8);
            Pointer value = Native.allocate(1);
            key.putInt(0, 1);
            key.putInt(4, denyInode);
            assertEquals(0, libbpf().bpf_map_lookup_elem(kernel.mapFd(SelfProtection.IDS), key, value),
                    "deny_inode's id is in tl_protected");

            for (String frozen : new String[] {SelfProtection.CONFIG, SelfProtection.IDS}) {
                Pointer k = Native.allocate(8);
                Pointer v = Native.allocate(64);
                int rc = libbpf().bpf_map_update_elem(kernel.mapFd(frozen), k, v, 0);
                assertTrue(rc != 0 && Native.errno() == 1, frozen + ": a write after the freeze gets EPERM, got rc "
                        + rc + " errno " + Native.errno());
            }
            kernel.policy().denyPort(4242);  // the deny maps stay writable for the agent
            assertFalse(bpftool("map", "show", "id", String.valueOf(p.mapId("deny_port"))).contains("\"frozen\":1"));
            assertTrue(bpftool("map", "show", "id", String.valueOf(p.mapId(SelfProtection.CONFIG)))
                    .contains("\"frozen\":1"), "bpftool says tl_config_map is frozen");
        }
    }

    private static String bpftool(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bpftool";
        cmd[1] = "-j";
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
