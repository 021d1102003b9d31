package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespaces a profile asks for take effect (root on the host kernel). */
class NamespaceTest {
    @TempDir
    Path cache;

    @Test
    void eachNamespaceIsANewOne() throws Exception {
        for (String ns : List.of("user", "mnt", "net", "pid")) {
            String label = ns.equals("mnt") ? "mount" : ns;
            String own = Files.readSymbolicLink(Path.of("/proc/self/ns/" + (ns.equals("pid") ? "pid_for_children" : ns))).toString();
            assertEquals(own, probe(List.of(), "ns", ns), "without --ns " + label);
            String inside = probe(List.of(label), "ns", ns);
            assertNotEquals(own, inside, label);
            assertEquals(true, inside.startsWith(ns + ":["), inside);
        }
    }

    @Test
    void aNewNetworkNamespaceHasOnlyLoopback() throws Exception {
        List<String> devices = probe(List.of("net"), "netdev").lines().skip(2).map(l -> l.strip().split(":")[0]).toList();
        assertEquals(List.of("lo"), devices);
    }

    @Test
    void theWorkloadIsPidOneAndRootMapsToItsUser() throws Exception {
        assertEquals("1", probe(List.of("pid", "mount"), "pid"));
        String map = probe(List.of("user"), "uid_map").strip().replaceAll("\\s+", " ");
        assertEquals("0 " + new com.sun.security.auth.module.UnixSystem().getUid() + " 1", map);
    }

    private String probe(List<String> namespaces, String... args) throws Exception {
        ProfileSource ns = Sandboxed.text("--ns", namespaces.isEmpty() ? "" : "namespaces " + String.join(" ", namespaces));
        Sandboxed.Result r = new Sandboxed(cache).probe(List.of(BuiltinProfile.source("minimal"), ns, Sandboxed.text("proc", "read /proc")), args);
        assertEquals(0, r.exit(), r.toString());
        return r.out().strip();
    }
}
