package dev.twinlane.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.AnchorNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A policy file read by SnakeYAML, all of YAML: the reference reader, and the one that words
 * syntax errors. It composes SnakeYAML's node tree rather than plain maps, because only nodes
 * keep their line and column.
 */
final class YamlTree {
    /**
     * How deep the parser looks (root, section, list, rule, value): deeper collections keep
     * their kind but not their children, so an alias that contains itself ends here.
     */
    private static final int DEPTH = 4;

    private YamlTree() {
    }

    /** The root, or null for a text without a document. */
    static PolicyNode read(String text, String source) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(64 << 20); // SnakeYAML's 3 MB default is about 100 k rules: too tight
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new PolicyException(source + (m == null ? "" : " " + new Where(m.getLine() + 1, m.getColumn() + 1))
                    + ": not valid YAML: " + firstLine(problem));
        } catch (YAMLException e) {
            throw new PolicyException(source + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        return root == null ? null : convert(root, 0);
    }

    private static PolicyNode convert(Node n, int depth) {
        if (n instanceof AnchorNode a) {
            return convert(a.getRealNode(), depth);
        }
        List<PolicyNode> children = new ArrayList<>();
        PolicyNode.Kind kind;
        if (n instanceof ScalarNode) {
            kind = PolicyNode.Kind.SCALAR;
        } else if (n instanceof SequenceNode s) {
            kind = PolicyNode.Kind.SEQUENCE;
            for (int i = 0; depth < DEPTH && i < s.getValue().size(); i++) {
                children.add(convert(s.getValue().get(i), depth + 1));
            }
        } else {
            kind = PolicyNode.Kind.MAPPING;
            for (int i = 0; depth < DEPTH && i < ((MappingNode) n).getValue().size(); i++) {
                NodeTuple t = ((MappingNode) n).getValue().get(i);
                children.add(convert(t.getKeyNode(), depth + 1));
                children.add(convert(t.getValueNode(), depth + 1));
            }
        }
        String text = n instanceof ScalarNode s ? s.getValue() : null;
        Mark m = n.getStartMark();
        return new PolicyNode(kind, Tag.NULL.equals(n.getTag()), text, children, m.getLine(), m.getColumn());
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
