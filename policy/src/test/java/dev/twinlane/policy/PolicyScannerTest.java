package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The scanner reads the forms policies are written in, and whatever it reads it reads as
 * SnakeYAML does: the same tree, scalars at the same line and column. Texts it gives up on are
 * SnakeYAML's, so only its yes answers are compared.
 */
class PolicyScannerTest {
    private static final String[] SCALARS = {"/etc/shadow", "/a", "203.0.113.7", "2001:db8::1", "10.0.0.0/8",
        "2001:db8::/32", "22", "tcp", "connect", "audit", "7", "'::1'", "\"/a b\"", "_x", ".x", "/x:y", "/x::y",
        "/a-b_c.d+e@f%g=h~i", "''"};
    private static final String[] ODD_SCALARS = {"::1", "null", "~", "a b", "a: b", "a:b", "a#b", "a #b", "-x",
        "[x", "{}", "[]", "", "'it''s'", "\"a\\\"b\"", "/caf\u00e9", "x\ty", "1:", "a,b", "&a x", "*a", "!!str x",
        "|", ">", "? x", "%x", "@x", "'x", "\"x", "x:", "Null", "- x", "-", "#x"};
    private static final String[] KEYS = {"version", "mode", "deny", "allow", "watch", "survival", "files", "network",
        "addr", "port", "protocol", "cidr", "prefixes", "exec", "cgroups"};
    private static final String[] ODD_KEYS = {"Files", "null", "fi les", "'files'", "x y", "? a", "1", "-a", ""};
    private static final String NOISE = " \n:-#[]{},'\"\ta/.0\r~";

    private static final List<String> FORMS = List.of(PolicyParserTest.FULL, "version: 1\nmode: audit\ndeny:\n",
            "version: 1\nmode: audit\ndeny:\n  network:\n  - port: 443\n    protocol: tcp  # why\n",
            "version: 3\nmode: audit\ndeny: {files: [/etc/shadow, /etc/passwd], network: [{port: 22}, {addr: '::1'}]}\n",
            "# a policy\n\nversion: 2   \nmode: enforce\nsurvival:\n    - /usr/bin/x\n  # indented comment\n");

    @Test
    void readsTheFormsPoliciesAreWrittenIn() {
        for (String text : FORMS) {
            assertNotNull(PolicyScanner.read(text), text);
            assertSameTree(text);
        }
    }

    @Test
    void givesUpOnWhatItDoesNotRead() {
        for (String text : List.of("", "# nothing\n", "  version: 1\n", "version: 1\r\nmode: audit\r\n",
                "version: &v 1\n", "version: !!int 1\n", "version: 1\n---\nmode: audit\n", "deny: {files: [\n  /a]}\n",
                "mode: >\n  audit\n", "version: 1\n  2\n", "survival: [/a, ]\n", "mode: null\n", "mode: ~\n",
                "deny:\n  files:\n  - /a b\n", "survival: [/caf\u00e9]\n", "version:\t1\n", "a:\n - - x\n")) {
            assertNull(PolicyScanner.read(text), text);
        }
    }

    @Test
    void readsAsSnakeYamlDoesWhateverItReads() {
        Random r = new Random(13);
        int read = 0;
        for (int i = 0; i < 60_000; i++) {
            String text = switch (i % 3) {
                case 0 -> policy(r);
                case 1 -> Mutations.mutate(policy(r), NOISE, 3, r);
                default -> Mutations.mutate(FORMS.get(r.nextInt(FORMS.size())), NOISE, 3, r);
            };
            if (assertSameTree(text)) {
                read++;
            }
        }
        assertTrue(read > 10_000, "the texts it read: " + read);
    }

    /** Whether the scanner read it; when it did, SnakeYAML reads it too, into the same tree. */
    static boolean assertSameTree(String text) {
        PolicyNode fast = PolicyScanner.read(text);
        if (fast == null) {
            return false;
        }
        PolicyNode slow;
        try {
            slow = YamlTree.read(text, "t");
        } catch (PolicyException e) {
            fail("the scanner read what SnakeYAML refuses (" + e.getMessage() + "): " + text);
            return false;
        }
        assertEquals(render(slow), render(fast), text);
        return true;
    }

    /** kind, text and place of every node; a null value's place is no part of it (only errors name one). */
    private static String render(PolicyNode n) {
        StringBuilder b = new StringBuilder();
        if (n.isNull()) {
            return "null";
        }
        b.append(n.kind()).append('@').append(n.line()).append(':').append(n.column());
        if (n.kind() == PolicyNode.Kind.SCALAR) {
            return b.append('=').append(n.text()).toString();
        }
        b.append('(');
        n.children().forEach(c -> b.append(render(c)).append(' '));
        return b.append(')').toString();
    }

    /** A policy-like text in one of the styles YAML allows, with odd scalars and keys now and then. */
    private static String policy(Random r) {
        StringBuilder b = new StringBuilder();
        int keys = 1 + r.nextInt(5);
        for (int k = 0; k < keys; k++) {
            if (r.nextInt(6) == 0) {
                b.append(" ".repeat(r.nextInt(4))).append("# comment ").append(pick(SCALARS, r)).append('\n');
            }
            b.append(pick(KEYS, r)).append(':');
            value(b, r, 0, 0);
        }
        return b.toString();
    }

    private static void value(StringBuilder b, Random r, int indent, int depth) {
        int kind = depth >= 3 ? 0 : r.nextInt(5);
        String pad = " ".repeat(1 + r.nextInt(2));
        switch (kind) {
            case 0 -> b.append(pad).append(pick(SCALARS, r)).append(comment(r)).append('\n');
            case 1 -> b.append(pad).append(flow(r, depth)).append(comment(r)).append('\n');
            case 2 -> b.append(comment(r)).append('\n');
            case 3 -> {
                int at = indent + r.nextInt(4);
                b.append(comment(r)).append('\n');
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    b.append(" ".repeat(at)).append('-');
                    if (r.nextBoolean()) {
                        b.append(' ').append(pick(KEYS, r)).append(':');
                        value(b, r, at + 2, depth + 2);
                        if (r.nextBoolean()) {
                            b.append(" ".repeat(at + 2)).append(pick(KEYS, r)).append(':');
                            value(b, r, at + 2, depth + 2);
                        }
                    } else {
                        value(b, r, at + 2, depth + 1);
                    }
                }
            }
            default -> {
                int at = indent + 1 + r.nextInt(3);
                b.append(comment(r)).append('\n');
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    b.append(" ".repeat(at)).append(pick(KEYS, r)).append(':');
                    value(b, r, at, depth + 1);
                }
            }
        }
    }

    private static String flow(Random r, int depth) {
        StringBuilder b = new StringBuilder();
        boolean map = r.nextBoolean();
        b.append(map ? '{' : '[').append(r.nextBoolean() ? " " : "");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," + " ".repeat(r.nextInt(2)) : "");
            if (map) {
                b.append(pick(KEYS, r)).append(": ");
            }
            b.append(depth < 2 && r.nextInt(4) == 0 ? flow(r, depth + 1) : pick(SCALARS, r));
        }
        return b.append(r.nextBoolean() ? " " : "").append(map ? '}' : ']').toString();
    }

    private static String comment(Random r) {
        return r.nextInt(4) > 0 ? "" : " ".repeat(r.nextInt(8) > 0 ? 1 + r.nextInt(2) : 0) + "# why \u00e9";
    }


    /** Mostly a good scalar (or key), one in twenty an odd one. */
    private static String pick(String[] good, Random r) {
        String[] from = r.nextInt(20) > 0 ? good : good == KEYS ? ODD_KEYS : ODD_SCALARS;
        return from[r.nextInt(from.length)];
    }
}
