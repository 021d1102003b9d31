package dev.twinlane.policy;

import java.util.List;

/**
 * A node of a policy file's YAML, as {@link PolicyParser}'s checks read it: its kind, whether it
 * is null (empty, ~, null: SnakeYAML's null tag, on any kind), the text of a scalar, the children
 * of a collection (a mapping's as key, value, key, value...) and where it starts, line and column
 * from 0 as SnakeYAML counts them. Two readers make these trees: {@link PolicyScanner} for the
 * forms policies are written in, and SnakeYAML ({@link YamlTree}) for all of YAML.
 */
record PolicyNode(Kind kind, boolean isNull, String text, List<PolicyNode> children, int line, int column) {
    enum Kind { SCALAR, SEQUENCE, MAPPING }

    static PolicyNode scalar(String text, int line, int column) {
        return new PolicyNode(Kind.SCALAR, false, text, List.of(), line, column);
    }

    Where where() {
        return new Where(line + 1, column + 1);
    }
}
