package dev.twinlane.detector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class PlainBytesTest {
    private final PlainBytes plain = new PlainBytes();
    private final Normaliser normaliser = new Normaliser();

    @Test
    void whatItCallsPlainTheNormaliserTurnsIntoItsNormalChars() {
        List<String> lines = new ArrayList<>(List.of("/usr/lib/systemd/system/ssh.service",
                "/usr/bin/python3 -m pip install --user requests", "x aicgaichaiciaic y",
                "Description=Ignore_All previous_ instructions _x y_ A_1 __init__", "_a_b_"));
        for (String file : List.of("command_injection", "sql_injection", "path_traversal", "prompt_injection",
                "social_engineering", "hard_negatives")) {
            for (String l : Payloads.of(file)) {
                lines.add(l);
                lines.add(l.toLowerCase());
            }
        }
        int plainOnes = 0;
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            if (!plain.test(b, 0, b.length)) {
                continue;
            }
            plainOnes++;
            Text t = normaliser.normalise(b, 0, b.length);
            StringBuilder normal = new StringBuilder();
            for (int i = 0; i < b.length; i++) {
                normal.append((char) PlainBytes.normalAt(b, i, 0, b.length));
            }
            assertEquals(t.toString(), normal.toString(), "called plain, but normalised otherwise: " + l);
            assertArrayEquals(IntStream.range(0, b.length).toArray(), java.util.Arrays.copyOf(t.start, t.length), l);
        }
        assertTrue(plainOnes > 20, "only " + plainOnes + " plain strings: the check above tests little");
    }

    /** The one pass over a plain string's bytes finds the rules the automaton finds in its normal form. */
    @Test
    void theAnchorsReadAPlainStringsBytesAsItsNormalForm() {
        List<DetectionRules.Rule> rules = DetectionRules.builtin().rules();
        Anchors anchors = new Anchors(rules);
        long[] fromBytes = new long[Anchors.words(rules.size())];
        long[] fromText = new long[fromBytes.length];
        int plainOnes = 0;
        for (String file : List.of("command_injection", "sql_injection", "path_traversal", "prompt_injection",
                "social_engineering", "hard_negatives")) {
            for (String l : Payloads.of(file)) {
                String b64 = java.util.Base64.getEncoder().encodeToString(l.getBytes(StandardCharsets.UTF_8));
                for (String s : List.of("/tmp/x/" + b64, "/tmp/x/" + b64 + "/y", l, l.toUpperCase(), l.replace(' ', '_'), "/tmp/x/" + l.replace(' ', '/'))) {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    boolean plainBytes = anchors.findPlain(b, 0, b.length, plain, fromBytes);
                    assertEquals(plain.test(b, 0, b.length), plainBytes, s);
                    if (plainBytes) {
                        plainOnes++;
                        anchors.find(normaliser.normalise(b, 0, b.length), fromText);
                        assertArrayEquals(fromText, fromBytes, s);
                    }
                }
            }
        }
        assertTrue(plainOnes > 100, "only " + plainOnes + " plain strings: the check above tests little");
    }

    @Test
    void anyCharAPassRewritesMakesAStringNotPlain() {
        assertTrue(test("/usr/lib/systemd/system/ssh.service"));
        assertTrue(test("Description=Ignore_All"), "upper case and '_' are read by normalAt");
        for (String s : List.of("%2e", "a\\x", "a&#47;", "$IFS", "c'u'rl", "c\"u\"rl", "a\rb",
                "a\tb", "a\0b", "a  b", "c\u0443rl", "x aicgaichaiciaicj y", "x aWdub3JlIGFsbCBwcmV2 y")) {
            assertFalse(test(s), s);
        }
        assertTrue(test("x aicgaichaiciaic y"), "15 base64 chars are too few to decode");
    }

    private boolean test(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return plain.test(b, 0, b.length);
    }
}
