package dev.twinlane.policy;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a policy file (YAML, the format of the agent's configuration, with SnakeYAML). It
 * walks SnakeYAML's node tree rather than the plain maps, because only nodes keep their line
 * and column: every error names where it is, unknown and duplicate keys included. The first
 * error stops the parse, so the message is one line. See docs/POLICY.md.
 */
public final class PolicyParser {
    /** Paths the kernel compares are at most this long (PATH_MAX). */
    static final int PATH_MAX = 4096;
    static final int PREFIX_MAX = 128; // TL_PREFIX_MAX

    private final String source;

    private PolicyParser(String source) {
        this.source = source;
    }

    /** {@code source} names the text in errors, e.g. the file name. */
    public static PolicyFile parse(String text, String source) {
        return new PolicyParser(source).file(text);
    }

    private PolicyFile file(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(64 << 20); // SnakeYAML's 3 MB default is about 100 k rules: too tight
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new PolicyException(source + (m == null ? "" : " " + where(m)) + ": not valid YAML: "
                    + firstLine(problem));
        } catch (YAMLException e) {
            throw new PolicyException(source + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            throw new PolicyException(source + ": is empty (a policy needs at least version and mode)");
        }
        Map<String, Node> top = mapping(root, "the policy", true,
                Set.of("version", "mode", "survival", "deny", "allow", "watch"), Set.of("version", "mode"));
        Map<String, Node> deny = section(top.get("deny"), "deny", Set.of("files", "prefixes", "exec", "network"));
        Map<String, Node> allow = section(top.get("allow"), "allow", Set.of("cgroups"));
        Map<String, Node> watch = section(top.get("watch"), "watch", Set.of("files", "prefixes"));
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

    private long version(Node n) {
        String v = scalar(n, "version");
        if (v.matches("[0-9]{1,18}") && Long.parseLong(v) >= 1) {
            return Long.parseLong(v);
        }
        throw error(n, "version must be a whole number from 1 to 999999999999999999, not '" + v + "'");
    }

    private Mode mode(Node n) {
        String v = scalar(n, "mode");
        return switch (v) {
            case "audit" -> Mode.AUDIT;
            case "enforce" -> Mode.ENFORCE;
            default -> throw error(n, "mode must be audit or enforce, not '" + v + "'");
        };
    }

    /** An optional section: absent or empty is no rules. */
    private Map<String, Node> section(Node n, String name, Set<String> allowed) {
        return isNull(n) ? Map.of() : mapping(n, name, false, allowed, Set.of());
    }

    /** A mapping's values by key, refusing unknown, duplicate and missing keys where they are. */
    private Map<String, Node> mapping(Node n, String name, boolean top, Set<String> allowed, Set<String> required) {
        if (!(n instanceof MappingNode)) {
            throw error(n, name + " must be a mapping of keys (" + String.join(", ", sorted(allowed)) + ")");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple t : ((MappingNode) n).getValue()) {
            String k = scalar(t.getKeyNode(), name + "'s keys");
            if (!allowed.contains(k)) {
                throw error(t.getKeyNode(), "unknown key '" + k + "' in " + (top ? "the policy" : name)
                        + " (known: " + String.join(", ", sorted(allowed)) + ")");
            }
            if (keys.containsKey(k)) {
                throw error(t.getKeyNode(), "duplicate key '" + k + "' (first at "
                        + where(keys.get(k).getStartMark()) + ")");
            }
            keys.put(k, t.getKeyNode());
            out.put(k, t.getValueNode());
        }
        for (String k : sorted(required)) {
            if (!out.containsKey(k)) {
                throw error(n, name + " has no '" + k + "' (required)");
            }
        }
        return out;
    }

    private List<PathRule> paths(Node n, String list, int maxBytes) {
        List<PathRule> out = new ArrayList<>();
        for (Node item : sequence(n, list, "paths")) {
            String p = scalar(item, list + " entries");
            String problem = pathProblem(p, maxBytes);
            if (problem != null) {
                throw error(item, list + ": '" + p + "' " + problem);
            }
            out.add(new PathRule(p, at(item)));
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

    private List<NetRule> network(Node n) {
        List<NetRule> out = new ArrayList<>();
        for (Node item : sequence(n, "deny.network", "rules (addr, cidr or port)")) {
            Map<String, Node> rule = mapping(item, "a deny.network rule", false,
                    Set.of("addr", "cidr", "port", "protocol", "direction"), Set.of());
            long kinds = rule.keySet().stream().filter(k -> Set.of("addr", "cidr", "port").contains(k)).count();
            if (kinds != 1) {
                throw error(item, "a deny.network rule names exactly one of addr, cidr or port");
            }
            if (!rule.containsKey("port") && (rule.containsKey("protocol") || rule.containsKey("direction"))) {
                throw error(item, "protocol and direction go with a port rule only (addr and cidr rules deny"
                        + " connect and bind, every protocol)");
            }
            out.add(rule.containsKey("addr") ? address(rule.get("addr"))
                    : rule.containsKey("cidr") ? cidr(rule.get("cidr"))
                    : port(rule));
        }
        return out;
    }

    private NetRule address(Node n) {
        String v = scalar(n, "addr");
        byte[] a = IpLiteral.parse(v);
        if (a == null) {
            throw error(n, "addr wants an IPv4 or IPv6 address like 192.0.2.1 or 2001:db8::1 (not a name;"
                    + " a network is a cidr rule), not '" + v + "'");
        }
        return new NetRule.Address(a, at(n));
    }

    private NetRule cidr(Node n) {
        String v = scalar(n, "cidr");
        int slash = v.indexOf('/');
        byte[] a = slash < 0 ? null : IpLiteral.parse(v.substring(0, slash));
        String len = slash < 0 ? "" : v.substring(slash + 1);
        if (a == null || !len.matches("[0-9]{1,3}") || Integer.parseInt(len) > a.length * 8) {
            throw error(n, "cidr wants a network like 10.0.0.0/8 or 2001:db8::/32, not '" + v + "'");
        }
        int bits = Integer.parseInt(len);
        byte[] network = Cidrs.mask(a, bits);
        if (!java.util.Arrays.equals(a, network)) {
            // 10.1.2.3/8 is almost always a typo for a host or for 10.0.0.0/8: say which it would be
            throw error(n, "cidr '" + v + "' has address bits set past /" + bits + " (the network is "
                    + Cidrs.text(network) + "/" + bits + ")");
        }
        return new NetRule.Cidr(network, bits, at(n));
    }

    private NetRule port(Map<String, Node> rule) {
        Node pn = rule.get("port");
        String v = scalar(pn, "port");
        if (!v.matches("[0-9]{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
            throw error(pn, "port must be a number from 1 to 65535, not '" + v + "'");
        }
        NetRule.Protocol proto = choice(rule.get("protocol"), NetRule.Protocol.class, NetRule.Protocol.ANY, "protocol");
        NetRule.Direction dir = choice(rule.get("direction"), NetRule.Direction.class, NetRule.Direction.ANY,
                "direction");
        return new NetRule.Port(Integer.parseInt(v), proto, dir, at(pn));
    }

    private <E extends Enum<E>> E choice(Node n, Class<E> type, E dflt, String name) {
        if (n == null) {
            return dflt;
        }
        String v = scalar(n, name);
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(java.util.Locale.ROOT));
            if (e.name().toLowerCase(java.util.Locale.ROOT).equals(v)) {
                return e;
            }
        }
        throw error(n, name + " must be one of " + String.join(", ", names) + ", not '" + v + "'");
    }

    private List<Node> sequence(Node n, String name, String what) {
        if (isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode)) {
            throw error(n, name + " must be a list of " + what);
        }
        return ((SequenceNode) n).getValue();
    }

    private String scalar(Node n, String name) {
        if (!(n instanceof ScalarNode) || isNull(n)) {
            throw error(n, name + " must be a single value, not " + (isNull(n) ? "empty" : "a list or mapping"));
        }
        return ((ScalarNode) n).getValue();
    }

    private static boolean isNull(Node n) {
        return n == null || Tag.NULL.equals(n.getTag());
    }

    private PolicyException error(Node n, String message) {
        return new PolicyException(source + " " + where(n.getStartMark()) + ": " + message);
    }

    private static Where at(Node n) {
        return new Where(n.getStartMark().getLine() + 1, n.getStartMark().getColumn() + 1);
    }

    private static String where(Mark m) {
        return new Where(m.getLine() + 1, m.getColumn() + 1).toString();
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
