package dev.twinlane.sandbox;

import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * A parsed, checked sandbox profile: what {@link CompiledProfile} turns into the helper's file.
 *
 * @param syscalls     allowed x86_64 system call numbers (every other one fails with EPERM)
 * @param paths        Landlock rights (LANDLOCK_ACCESS_FS_* bits) beneath each absolute path; empty: the
 *                     filesystem is not confined
 * @param bindPorts    TCP ports bind may use, or null when bind is not confined
 * @param connectPorts TCP ports connect may reach, or null when connect is not confined
 */
public record Profile(SortedSet<Integer> syscalls, SortedMap<String, Long> paths, SortedSet<Integer> bindPorts,
        SortedSet<Integer> connectPorts, Set<Namespace> namespaces, boolean dropCapabilities, boolean logDenials) {

    public Profile {
        syscalls = Collections.unmodifiableSortedSet(syscalls);
        paths = Collections.unmodifiableSortedMap(paths);
        namespaces = Set.copyOf(namespaces);
    }

    /** One line for people: "93 syscalls, 14 paths, bind any, connect 443, namespaces user+net". */
    public String summary() {
        return syscalls.size() + " syscalls, " + (paths.isEmpty() ? "filesystem not confined" : paths.size() + " paths")
                + ", bind " + ports(bindPorts) + ", connect " + ports(connectPorts) + ", namespaces "
                + (namespaces.isEmpty() ? "none" : String.join("+", namespaces.stream().sorted().map(Namespace::label).toList()))
                + (dropCapabilities ? ", no capabilities" : "") + (logDenials ? ", denials logged" : "");
    }

    private static String ports(SortedSet<Integer> ports) {
        return ports == null ? "any" : ports.isEmpty() ? "none" : String.join(" ", ports.stream().map(String::valueOf).toList());
    }
}
