package dev.twinlane.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a policy file (YAML, the format of the agent's configuration). The checks walk a node
 * tree that keeps every node's line and column, so every error names where it is, unknown and
 * duplicate keys included. The first error stops the parse, so the message is one line. See
 * docs/POLICY.md.
 *
 * Two readers make the tree. {@link PolicyScanner} reads the forms policies are written in and
 * gives up on anything else; SnakeYAML ({@link YamlTree}) reads all of YAML, but takes about 2 us
 * a rule warm and a third of a second in a fresh JVM. An error found in the scanner's tree is
 * found again in SnakeYAML's, so every error is worded and placed as SnakeYAML's tree makes it,
 * and a text the scanner misread could only ever be refused, never taken differently.
 */
public final class PolicyParser {
    /** Paths the kernel compares are at most this long (PATH_MAX). */
    static final int PATH_MAX = 4096;
    static final int PREFIX_MAX = 128; // TL_PREFIX_MAX

    // every key list sorted: errors list them in this order
    private static final String[] TOP = {"allow", "deny", "mode", "survival", "version", "watch"};
    private static final String[] TOP_REQUIRED = {"mode", "version"};
    private static final String[] DENY = {"exec", "files", "network", "prefixes"};
    private static final String[] ALLOW = {"cgroups"};
    private static final String[] WATCH = {"files", "prefixes"};
    private static final String[] NET = {"addr", "cidr", "direction", "port", "protocol"};
    private static final String[] NONE = {};

    private final String source;

    private PolicyParser(String source) {
        this.source = source;
    }

    /** {@code source} names the text in errors, e.g. the file name. */
    public static PolicyFile parse(String text, String source) {
        PolicyParser p = new PolicyParser(source);
        PolicyNode fast = PolicyScanner.read(text);
        if (fast != null) {
            try {
                return p.file(fast);
            } catch (PolicyException e) {
                // SnakeYAML's tree names it (or, were the scanner wrong, finds none)
            }
        }
        return p.file(YamlTree.read(text, source));
    }

    private PolicyFile file(PolicyNode root) {
        if (root == null) {
            throw new PolicyException(source + ": is empty (a policy needs at least version and mode)");
        }
        Fields top = mapping(root, "the policy", true, TOP, TOP_REQUIRED);
        Fields deny = section(top.get("deny"), "deny", DENY);
        Fields allow = section(top.get("allow"), "allow", ALLOW);
        Fields watch = section(top.get("watch"), "watch", WATCH);
        return new PolicyFile(version(top.get("version")), mode(top.get("mode")),
                paths(top.get("survival"), "survival", PATH_MAX),
                paths(deny.get("files"), "deny.files", PATH_MAX),
                paths(deny.get("prefixes"), "deny.prefixes", PREFIX_MAX),
                paths(deny.get("exec"), "deny.exec", PATH_MAX),
                network(deny.get("network")),
                paths(allow.get("cgroups"), "allow.cgroups", PATH_MAX),
                paths(watch.get("files"), "watch.files", PATH_MAX),
                paths(watch.get("prefixes"), "watch.prefixes", PREFIX_MAX));
    }

    private long version(PolicyNode n) {
        String v = scalar(n, "version");
        if (digits(v, 18) && Long.parseLong(v) >= 1) {
            return Long.parseLong(v);
        }
        throw error(n, "version must be a whole number from 1 to 999999999999999999, not '" + v + "'");
    }

    private Mode mode(PolicyNode n) {
        String v = scalar(n, "mode");
        return switch (v) {
            case "audit" -> Mode.AUDIT;
            case "enforce" -> Mode.ENFORCE;
            default -> throw error(n, "mode must be audit or enforce, not '" + v + "'");
        };
    }

    /** An optional section: absent or empty is no rules. */
    private Fields section(PolicyNode n, String name, String[] allowed) {
        return isNull(n) ? Fields.EMPTY : mapping(n, name, false, allowed, NONE);
    }

    /** A mapping's values by key, refusing unknown, duplicate and missing keys where they are. */
    private Fields mapping(PolicyNode n, String name, boolean top, String[] allowed, String[] required) {
        if (n.kind() != PolicyNode.Kind.MAPPING) {
            throw error(n, name + " must be a mapping of keys (" + String.join(", ", allowed) + ")");
        }
        List<PolicyNode> kv = n.children();
        String[] keys = new String[kv.size() / 2];
        for (int i = 0; i < keys.length; i++) {
            PolicyNode keyNode = kv.get(2 * i);
            String k = scalar(keyNode, name + "'s keys");
            if (indexOf(allowed, allowed.length, k) < 0) {
                throw error(keyNode, "unknown key '" + k + "' in " + (top ? "the policy" : name)
                        + " (known: " + String.join(", ", allowed) + ")");
            }
            int first = indexOf(keys, i, k);
            if (first >= 0) {
                throw error(keyNode, "duplicate key '" + k + "' (first at " + kv.get(2 * first).where() + ")");
            }
            keys[i] = k;
        }
        Fields out = new Fields(keys, kv);
        for (String k : required) {
            if (out.get(k) == null) {
                throw error(n, name + " has no '" + k + "' (required)");
            }
        }
        return out;
    }

    /** A checked mapping: at most a handful of known keys, so a scan finds one faster than a hash. */
    private record Fields(String[] keys, List<PolicyNode> kv) {
        static final Fields EMPTY = new Fields(new String[0], List.of());

        /** The value of {@code key}, or null when the mapping does not have it. */
        PolicyNode get(String key) {
            int i = indexOf(keys, keys.length, key);
            return i < 0 ? null : kv.get(2 * i + 1);
        }
    }

    /** Where {@code s} is among the first {@code n} of {@code a}, or -1. */
    private static int indexOf(String[] a, int n, String s) {
        for (int i = 0; i < n; i++) {
            if (s.equals(a[i])) {
                return i;
            }
        }
        return -1;
    }

    private List<PathRule> paths(PolicyNode n, String list, int maxBytes) {
        List<PolicyNode> items = sequence(n, list, "paths");
        List<PathRule> out = new ArrayList<>(items.size());
        for (PolicyNode item : items) {
            String p = scalar(item, list + " entries");
            String problem = pathProblem(p, maxBytes);
            if (problem != null) {
                throw error(item, list + ": '" + p + "' " + problem);
            }
            out.add(new PathRule(p, item.where()));
        }
        return out;
    }

    /**
     * Why a path cannot match what the kernel reports (an absolute path without . or ..
     * components or doubled slashes, as d_path gives it), or null.
     */
    static String pathProblem(String p, int maxBytes) {
        int n = p.getBytes(StandardCharsets.UTF_8).length;
        if (!p.startsWith("/")) {
            return "is not an absolute path (it must start with /)";
        }
        if (n > maxBytes) {
            return "is " + n + " bytes long; at most " + maxBytes + " fit";
        }
        if (p.indexOf('\0') >= 0) {
            return "holds a NUL byte";
        }
        if (p.contains("//") || p.contains("/./") || p.contains("/../") || p.endsWith("/.") || p.endsWith("/..")) {
            return "is not canonical (no //, . or .. components: the kernel reports canonical paths)";
        }
        return null;
    }

    private List<NetRule> network(PolicyNode n) {
        List<PolicyNode> items = sequence(n, "deny.network", "rules (addr, cidr or port)");
        List<NetRule> out = new ArrayList<>(items.size());
        for (PolicyNode item : items) {
            Fields rule = mapping(item, "a deny.network rule", false, NET, NONE);
            PolicyNode addr = rule.get("addr");
            PolicyNode cidr = rule.get("cidr");
            PolicyNode port = rule.get("port");
            if ((addr == null ? 0 : 1) + (cidr == null ? 0 : 1) + (port == null ? 0 : 1) != 1) {
                throw error(item, "a deny.network rule names exactly one of addr, cidr or port");
            }
            if (port == null && (rule.get("protocol") != null || rule.get("direction") != null)) {
                throw error(item, "protocol and direction go with a port rule only (addr and cidr rules deny"
                        + " connect and bind, every protocol)");
            }
            out.add(addr != null ? address(addr) : cidr != null ? cidr(cidr) : port(rule));
        }
        return out;
    }

    private NetRule address(PolicyNode n) {
        String v = scalar(n, "addr");
        byte[] a = IpLiteral.parse(v);
        if (a == null) {
            throw error(n, "addr wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1 (not a name;"
                    + " a network is a cidr rule), not '" + v + "'");
        }
        return new NetRule.Address(a, n.where());
    }

    private NetRule cidr(PolicyNode n) {
        String v = scalar(n, "cidr");
        int slash = v.indexOf('/');
        byte[] a = slash < 0 ? null : IpLiteral.parse(v.substring(0, slash));
        String len = slash < 0 ? "" : v.substring(slash + 1);
        if (a == null || !digits(len, 3) || Integer.parseInt(len) > a.length * 8) {
            throw error(n, "cidr wants a network like 10.0.0.0/8 or 2001:db8::/32, not '" + v + "'");
        }
        int bits = Integer.parseInt(len);
        byte[] network = Cidrs.mask(a, bits);
        if (!Arrays.equals(a, network)) {
            // 10.1.2.3/8 is almost always a typo for a host or for 10.0.0.0/8: say which it would be
            throw error(n, "cidr '" + v + "' has address bits set past /" + bits + " (the network is "
                    + Cidrs.text(network) + "/" + bits + ")");
        }
        return new NetRule.Cidr(network, bits, n.where());
    }

    private NetRule port(Fields rule) {
        PolicyNode pn = rule.get("port");
        String v = scalar(pn, "port");
        if (!digits(v, 5) || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
            throw error(pn, "port must be a number from 1 to 65535, not '" + v + "'");
        }
        NetRule.Protocol proto = choice(rule.get("protocol"), NetRule.Protocol.class, NetRule.Protocol.ANY, "protocol");
        NetRule.Direction dir = choice(rule.get("direction"), NetRule.Direction.class, NetRule.Direction.ANY,
                "direction");
        return new NetRule.Port(Integer.parseInt(v), proto, dir, pn.where());
    }

    /** 1 to {@code max} ASCII digits. */
    private static boolean digits(String v, int max) {
        if (v.isEmpty() || v.length() > max) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private <E extends Enum<E>> E choice(PolicyNode n, Class<E> type, E dflt, String name) {
        if (n == null) {
            return dflt;
        }
        String v = scalar(n, name);
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
            if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
                return e;
            }
        }
        throw error(n, name + " must be one of " + String.join(", ", names) + ", not '" + v + "'");
    }

    private List<PolicyNode> sequence(PolicyNode n, String name, String what) {
        if (isNull(n)) {
            return List.of();
        }
        if (n.kind() != PolicyNode.Kind.SEQUENCE) {
            throw error(n, name + " must be a list of " + what);
        }
        return n.children();
    }

    private String scalar(PolicyNode n, String name) {
        if (n.kind() != PolicyNode.Kind.SCALAR || n.isNull()) {
            throw error(n, name + " must be a single value, not " + (isNull(n) ? "empty" : "a list or mapping"));
        }
        return n.text();
    }

    private static boolean isNull(PolicyNode n) {
        return n == null || n.isNull();
    }

    private PolicyException error(PolicyNode n, String message) {
        return new PolicyException(source + " " + n.where() + ": " + message);
    }
}
