package dev.twinlane.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.twinlane.ingest.PolicyMaps;
import dev.twinlane.records.RecordLayout;

/**
 * The deny and watch rules of `twinlane run` (--deny-port, --deny-addr, --deny-file, --watch,
 * --watch-file), parsed and checked in full before anything is loaded into the kernel; the
 * pipeline loads them into the policy maps before it reads a record.
 */
record PolicyRules(List<Integer> denyPorts, List<InetAddress> denyAddresses, List<Path> denyFiles,
        List<String> watchPrefixes, List<Path> watchFiles) {
    static final PolicyRules NONE = new PolicyRules(List.of(), List.of(), List.of(), List.of(), List.of());

    PolicyRules {
        denyPorts = List.copyOf(denyPorts);
        denyAddresses = List.copyOf(denyAddresses);
        denyFiles = List.copyOf(denyFiles);
        watchPrefixes = List.copyOf(watchPrefixes);
        watchFiles = List.copyOf(watchFiles);
    }

    static PolicyRules parse(Options o) throws UsageException {
        List<Integer> ports = new ArrayList<>();
        for (String p : o.all("deny-port")) {
            ports.add(port("--deny-port", p));
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String a : o.all("deny-addr")) {
            addresses.add(address("--deny-addr", a));
        }
        List<Path> denyFiles = new ArrayList<>();
        for (String f : o.all("deny-file")) {
            denyFiles.add(file("--deny-file", f, false));
        }
        List<String> prefixes = new ArrayList<>();
        for (String w : o.all("watch")) {
            if (!isPrefix(w)) {
                throw new UsageException("--watch wants " + PREFIX + ", not '" + w + "'");
            }
            prefixes.add(w);
        }
        List<Path> watchFiles = new ArrayList<>();
        for (String f : o.all("watch-file")) {
            watchFiles.add(file("--watch-file", f, true));
        }
        return new PolicyRules(ports, addresses, denyFiles, prefixes, watchFiles);
    }

    /** Into the kernel's maps (each file by the inode it has now). */
    void apply(PolicyMaps policy) {
        denyPorts.forEach(policy::denyPort);
        denyAddresses.forEach(policy::denyAddress);
        denyFiles.forEach(policy::denyInode);
        watchPrefixes.forEach(policy::watchPrefix);
        watchFiles.forEach(policy::watchInode);
    }

    static final String PREFIX = "a path prefix of 1 to " + RecordLayout.PREFIX_MAX + " bytes";

    /** What the kernel's watch_prefix map can hold (the configuration's kernel.watch too). */
    static boolean isPrefix(String prefix) {
        int n = prefix.getBytes(StandardCharsets.UTF_8).length;
        return n >= 1 && n <= RecordLayout.PREFIX_MAX;
    }

    static int port(String option, String v) throws UsageException {
        if (!v.isEmpty() && v.length() <= 5 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        }
        throw new UsageException(option + " wants a port number from 1 to 65535, not '" + v + "'");
    }

    /** An address literal; never a name, so never a resolver lookup. */
    static InetAddress address(String option, String v) throws UsageException {
        byte[] raw = IpLiteral.parse(v);
        if (raw != null) {
            try {
                return InetAddress.getByAddress(raw); // no lookup: the bytes are the address
            } catch (UnknownHostException impossible) {
                // only for a length other than 4 or 16
            }
        }
        throw new UsageException(option + " wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1"
                + " (not a name, not a network), not '" + v + "'");
    }

    /**
     * An existing file, by its real path: the kernel sees the inode a symbolic link leads to, so a
     * rule on the link's own inode would never match. A directory is no deny target (denying its
     * inode would not protect the files in it).
     */
    static Path file(String option, String v, boolean directoryAllowed) throws UsageException {
        Path p = Path.of(v);
        if (v.isEmpty() || !Files.exists(p)) {
            throw new UsageException(option + " wants an existing file, not '" + v + "' (no such file)");
        }
        if (!directoryAllowed && Files.isDirectory(p)) {
            throw new UsageException(option + " wants a file, not the directory '" + v + "'");
        }
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UsageException(option + " wants an existing file, not '" + v + "' (" + e.getMessage() + ")");
        }
    }
}
