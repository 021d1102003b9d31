package dev.twinlane.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.twinlane.ingest.PolicyMaps;
import dev.twinlane.policy.IpLiteral;
import dev.twinlane.records.RecordLayout;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The deny and watch rules of `twinlane run` (--deny-port, --deny-addr, --deny-file, --watch,
 * --watch-file), each value checked by the converters below as the command line is parsed, so
 * before anything is loaded into the kernel; the pipeline loads them into the policy maps before
 * it reads a record.
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

    /** --deny-addr: an address literal; never a name, so never a resolver lookup. */
    static final class Address implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String v) {
            byte[] raw = IpLiteral.parse(v);
            if (raw != null) {
                try {
                    return InetAddress.getByAddress(raw); // no lookup: the bytes are the address
                } catch (UnknownHostException impossible) {
                    // only for a length other than 4 or 16
                }
            }
            throw new TypeConversionException("wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1"
                    + " (not a name, not a network), not '" + v + "'");
        }
    }

    /** --watch: what the kernel's watch_prefix map can hold. */
    static final class Prefix implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (!isPrefix(v)) {
                throw new TypeConversionException("wants " + PREFIX + ", not '" + v + "'");
            }
            return v;
        }
    }

    /** --deny-file: an existing file that is not a directory (denying a directory's inode would not protect its files). */
    static final class DenyFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String v) {
            return file(v, false);
        }
    }

    /** --watch-file: an existing file or directory. */
    static final class WatchFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String v) {
            return file(v, true);
        }
    }

    /**
     * An existing file, by its real path: the kernel sees the inode a symbolic link leads to, so a
     * rule on the link's own inode would never match.
     */
    private static Path file(String v, boolean directoryAllowed) {
        Path p = Path.of(v);
        if (v.isEmpty() || !Files.exists(p)) {
            throw new TypeConversionException("wants an existing file, not '" + v + "' (no such file)");
        }
        if (!directoryAllowed && Files.isDirectory(p)) {
            throw new TypeConversionException("wants a file, not the directory '" + v + "'");
        }
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new TypeConversionException("wants an existing file, not '" + v + "' (" + e.getMessage() + ")");
        }
    }
}
