package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Bad profiles are one line naming file, line and column; good ones mean what docs/SANDBOX.md says. */
class ProfileParserTest {
    private static String error(String... lines) {
        List<ProfileSource> sources = List.of(Sandboxed.text("job.profile", lines));
        return assertThrows(ProfileException.class, () -> ProfileParser.parse(sources)).getMessage();
    }

    @Test
    void eachMistakeIsOneLineWithItsPlace() {
        assertEquals("job.profile:2:1: unknown key 'sycalls' (keys: syscalls, read, write, execute, bind, connect, namespaces,"
                + " capabilities, log, include)", error("include minimal", "sycalls read"));
        assertEquals("job.profile:2:15: unknown system call 'opne' (x86_64, as named in asm/unistd_64.h)",
                error("include minimal", "syscalls read opne"));
        assertEquals("job.profile:1:12: a path here is absolute and without '..', not 'tmp/x'", error("write /ok  tmp/x"));
        assertEquals("job.profile:1:11: a TCP port from 1 to 65535 (or the single word none), not '70000'", error("bind 8080 70000"));
        assertEquals("job.profile:1:12: unknown namespace 'ipc' (user, mount, net, pid)", error("namespaces ipc"));
        assertEquals("job.profile:1:5: 'log' takes only 'denials', not 'all'", error("log all"));
        assertEquals("job.profile:1:1: 'read' needs at least one value", error("read   # nothing"));
        assertEquals("job.profile:1:9: no built-in profile 'tiny' (minimal, build, network)", error("include tiny"));
        assertEquals("job.profile:1:1: the profile does not allow execve, so the workload could not start (add: syscalls execve)",
                error("syscalls read write"));
    }

    @Test
    void linesAddUpAndIncludesBringTheBuiltinIn() throws ProfileException {
        Profile p = ProfileParser.parse(List.of(Sandboxed.text("job.profile", "include minimal  # base",
                "read /srv/data", "write /srv/data", "connect 443 80", "namespaces net", "capabilities none")));
        Profile minimal = ProfileParser.parse(List.of(BuiltinProfile.source("minimal")));
        assertEquals(minimal.syscalls(), p.syscalls());
        assertEquals(PathAccess.READ.rights | PathAccess.WRITE.rights, p.paths().get("/srv/data"));
        assertEquals(List.of(80, 443), List.copyOf(p.connectPorts()));
        assertEquals(null, p.bindPorts(), "bind not named: not confined");
        assertEquals(true, p.dropCapabilities());
        assertEquals(java.util.Set.of(Namespace.NET), p.namespaces());
    }

    @Test
    void buildAndNetworkAllowMoreThanMinimal() throws ProfileException {
        SyscallTable t = SyscallTable.x86_64();
        Profile minimal = ProfileParser.parse(List.of(BuiltinProfile.source("minimal")));
        Profile build = ProfileParser.parse(List.of(BuiltinProfile.source("build")));
        Profile network = ProfileParser.parse(List.of(BuiltinProfile.source("network")));
        assertEquals(true, build.syscalls().containsAll(minimal.syscalls()) && build.syscalls().contains(t.number("clone")));
        assertEquals(true, network.syscalls().containsAll(minimal.syscalls()) && network.syscalls().contains(t.number("connect")));
        for (String never : List.of("mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "ptrace", "io_uring_setup", "kexec_load", "init_module", "bpf")) {
            assertEquals(false, build.syscalls().contains(t.number(never)) || network.syscalls().contains(t.number(never)), never);
        }
    }
}
