package dev.twinlane.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles a parsed policy into map entries ahead of time, so that applying it is only map
 * writes. Everything that can be wrong is found here, before any map is touched: a rule that
 * would deny a survival entry (by path, by prefix, or by resolving to the same inode), a file
 * that does not exist, a map that would overflow.
 */
public final class PolicyCompiler {
    private static final byte[] ONE = {1};

    private final PathResolver resolver;
    private final SurvivalList survival;

    public PolicyCompiler(PathResolver resolver, SurvivalList survival) {
        this.resolver = resolver;
        this.survival = survival;
    }

    /** {@code source} names the policy in errors, as for the parser. */
    public CompiledPolicy compile(PolicyFile policy, String source) {
        return new Run(policy, source).compile();
    }

    /** One compilation: the entries so far, sorted and unique per map. */
    private final class Run {
        private final PolicyFile policy;
        private final String source;
        /** Each map's keys as the rules make them; sorted and made unique at the end (one sort, not a tree insert each). */
        private final Map<PolicyMap, List<byte[]>> maps = new EnumMap<>(PolicyMap.class);
        private final Map<String, String> survivors = new java.util.LinkedHashMap<>(); // path -> origin
        private final Map<Inode, String> survivorInodes = new HashMap<>();

        Run(PolicyFile policy, String source) {
            this.policy = policy;
            this.source = source;
        }

        CompiledPolicy compile() {
            survival.paths().forEach(p -> survivors.putIfAbsent(p, "survival entry " + p));
            policy.survival().forEach(r -> survivors.putIfAbsent(r.path(), "survival entry " + r.path()
                    + " (" + r.where() + ")"));
            survivors.forEach((path, origin) -> resolver.resolve(path).ifPresent(i -> {
                survivorInodes.putIfAbsent(i, origin);
                put(PolicyMap.SURVIVAL_INODE, MapKeys.inode(i));
            }));
            denyFiles(policy.denyFiles(), "deny.files", PolicyMap.DENY_INODE);
            denyFiles(policy.denyExec(), "deny.exec", PolicyMap.DENY_EXEC);
            for (PathRule r : policy.denyPrefixes()) {
                survivors.forEach((path, origin) -> {
                    if (path.startsWith(r.path())) {
                        throw error(r.describe("deny.prefixes") + " would deny " + origin);
                    }
                });
                put(PolicyMap.DENY_PREFIX, MapKeys.prefix(r.path()));
            }
            policy.denyNetwork().forEach(this::network);
            for (PathRule r : policy.allowCgroups()) {
                put(PolicyMap.ALLOW_CGROUP, MapKeys.cgroup(existing(r, "allow.cgroups").ino()));
            }
            for (PathRule r : policy.watchFiles()) {
                put(PolicyMap.WATCH_INODE, MapKeys.inode(existing(r, "watch.files")));
            }
            for (PathRule r : policy.watchPrefixes()) {
                put(PolicyMap.WATCH_PREFIX, MapKeys.prefix(r.path()));
            }
            Map<PolicyMap, List<MapEntry>> out = new EnumMap<>(PolicyMap.class);
            for (PolicyMap m : PolicyMap.values()) {
                List<MapEntry> entries = sortedUnique(maps.getOrDefault(m, List.of()));
                if (entries.size() > m.maxEntries()) {
                    throw error("the policy needs " + entries.size() + " entries in " + m.mapName()
                            + ", which holds at most " + m.maxEntries() + " (" + m.limitConstant()
                            + " in twinlane_policy.h)");
                }
                out.put(m, entries);
            }
            return new CompiledPolicy(policy.version(), policy.mode(), out);
        }

        private void denyFiles(List<PathRule> rules, String list, PolicyMap map) {
            for (PathRule r : rules) {
                String origin = survivors.get(r.path());
                if (origin != null) {
                    throw error(r.describe(list) + " would deny " + origin);
                }
                Inode i = existing(r, list);
                origin = survivorInodes.get(i);
                if (origin != null) { // a hard or symbolic link to a survivor is the survivor
                    throw error(r.describe(list) + " is the same file as " + origin + " (inode " + i.ino()
                            + "), which no policy may deny");
                }
                put(map, MapKeys.inode(i));
            }
        }

        private Inode existing(PathRule r, String list) {
            Optional<Inode> i = resolver.resolve(r.path());
            return i.orElseThrow(() -> error(r.describe(list) + ": no such file on this host"));
        }

        private void network(NetRule rule) {
            if (rule instanceof NetRule.Address a) {
                // once, in its family's map: connect6/bind6 look an IPv4-mapped address
                // (::ffff:a.b.c.d, a dual-stack socket) up in the IPv4 maps
                byte[] addr = a.address();
                put(addr.length == 4 ? PolicyMap.DENY_IPV4 : PolicyMap.DENY_IPV6, addr);
            } else if (rule instanceof NetRule.Cidr c) {
                byte[] net = c.network();
                put(net.length == 4 ? PolicyMap.DENY_CIDR4 : PolicyMap.DENY_CIDR6, MapKeys.cidr(net, c.prefixLength()));
            } else if (rule instanceof NetRule.Port p) {
                // "any" becomes one entry per value, so a hook needs one exact lookup, not four
                for (NetRule.Protocol proto : expand(p.protocol(), NetRule.Protocol.ANY)) {
                    for (NetRule.Direction dir : expand(p.direction(), NetRule.Direction.ANY)) {
                        put(PolicyMap.DENY_PORT_RULE, MapKeys.port(p.port(), proto.code, dir.code));
                    }
                }
            }
        }

        private void put(PolicyMap map, byte[] key) {
            if (key.length != map.keySize()) {
                throw new IllegalStateException(map.mapName() + " key of " + key.length + " bytes");
            }
            maps.computeIfAbsent(map, m -> new ArrayList<>()).add(key);
        }

        /** The keys in unsigned byte order, each once, as entries of value 1. */
        private List<MapEntry> sortedUnique(List<byte[]> keys) {
            if (keys.isEmpty()) {
                return List.of();
            }
            keys.sort(Arrays::compareUnsigned);
            List<MapEntry> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                if (i == 0 || !Arrays.equals(keys.get(i), keys.get(i - 1))) {
                    out.add(MapEntry.owning(keys.get(i), ONE));
                }
            }
            return out;
        }

        private PolicyException error(String message) {
            return new PolicyException(source + ": " + message);
        }
    }

    private static <E extends Enum<E>> List<E> expand(E value, E any) {
        if (value != any) {
            return List.of(value);
        }
        List<E> all = new ArrayList<>(Arrays.asList(value.getDeclaringClass().getEnumConstants()));
        all.remove(any);
        return all;
    }
}
