package dev.twinlane.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.MapKeys;
import dev.twinlane.policy.PolicyMap;
import dev.twinlane.policy.Whitelist;
import dev.twinlane.policy.WhitelistEntry;
import dev.twinlane.policy.WhitelistReport;

/**
 * Signed whitelist entries (seed 003, ECDSA P-256, 24 h) put into enforcement: each accepted
 * entry names a cgroup v2 directory whose processes no policy rule denies until the entry
 * expires, the same as the policy's {@code allow.cgroups} but signed apart from the versioned
 * policy and short-lived. {@link #refresh} re-reads the file when its text changed and drops
 * entries whose 24 h have passed; {@link #apply} merges the cgroups allowed now into a policy.
 */
final class CgroupWhitelist {
    /** An entry in force: its line, path, cgroup id (the directory's inode) and expiry. */
    record Allowed(int line, String path, long cgroupId, Instant expires) {
    }

    /** What a refresh found: lines ignored (each one line) and entries that expired since the last one. */
    record Refresh(List<String> ignored, List<Allowed> expired) {
    }

    private final Path file;
    private final Whitelist verifier;
    private String lastText;
    private List<Allowed> allowed = List.of();

    CgroupWhitelist(Path file, Path publicKey) {
        this.file = file;
        this.verifier = Whitelist.load(publicKey, Clock.systemUTC());
    }

    Refresh refresh(Instant now) {
        List<String> ignored = new ArrayList<>();
        String text = read(ignored);
        if (text != null && !text.equals(lastText)) {
            lastText = text;
            allowed = accept(verifier.read(text), ignored);
        }
        List<Allowed> expired = allowed.stream().filter(a -> !now.isBefore(a.expires())).toList();
        if (!expired.isEmpty()) {
            allowed = allowed.stream().filter(a -> now.isBefore(a.expires())).toList();
        }
        return new Refresh(ignored, expired);
    }

    List<Allowed> allowed() {
        return allowed;
    }

    /** {@code policy} with the cgroups allowed now added to its allow_cgroup entries (sorted, unique). */
    CompiledPolicy apply(CompiledPolicy policy) {
        if (allowed.isEmpty()) {
            return policy;
        }
        TreeSet<byte[]> keys = new TreeSet<>(java.util.Arrays::compareUnsigned);
        policy.entries(PolicyMap.ALLOW_CGROUP).forEach(e -> keys.add(e.key()));
        allowed.forEach(a -> keys.add(MapKeys.cgroup(a.cgroupId())));
        Map<PolicyMap, List<MapEntry>> entries = new EnumMap<>(policy.entries());
        entries.put(PolicyMap.ALLOW_CGROUP, keys.stream().map(k -> new MapEntry(k, new byte[] {1})).toList());
        return new CompiledPolicy(policy.version(), policy.mode(), entries);
    }

    private String read(List<String> ignored) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            if (lastText != null) {   // said once: the entries read before are dropped with it
                ignored.add("whitelist " + file + " cannot be read (" + e.getMessage() + "): its entries are dropped");
            }
            lastText = null;
            allowed = List.of();
            return null;
        }
    }

    private List<Allowed> accept(WhitelistReport report, List<String> ignored) {
        report.rejected().forEach(r -> ignored.add(file + ": " + r.message() + " (" + r.reason().name().toLowerCase()
                + ")"));
        List<Allowed> out = new ArrayList<>();
        Path cgroups = KernelIngest.cgroup2Mount();
        for (WhitelistEntry e : report.accepted()) {
            Path dir = Path.of(e.path());
            try {
                if (!dir.startsWith(cgroups) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("not a cgroup v2 directory under " + cgroups);
                }
                long id = (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                out.add(new Allowed(e.line(), e.path(), id, e.expires()));
            } catch (IOException | UnsupportedOperationException x) {
                ignored.add(file + ": whitelist line " + e.line() + " ignored: " + e.path() + " is "
                        + x.getMessage() + " (not_a_cgroup)");
            }
        }
        return List.copyOf(out);
    }
}
