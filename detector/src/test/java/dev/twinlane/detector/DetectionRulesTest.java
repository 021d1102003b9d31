package dev.twinlane.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's rules file adds to the builtin rules; a bad one is one line naming file:line and why. */
class DetectionRulesTest {
    @TempDir
    Path dir;

    @Test
    void aUserFileAddsRulesAfterTheBuiltinOnes() throws Exception {
        Path file = write("# ours\n\n9001 command_injection our-backdoor backdoor \\bbackdoor-[0-9]+\\b\n");
        DetectionRules rules = DetectionRules.withFile(file);
        assertEquals(DetectionRules.builtin().size() + 1, rules.size());
        Detector d = new Detector(rules);
        Finding f = new Finding();
        byte[] b = "run BACKDOOR-42 now".getBytes(StandardCharsets.UTF_8);
        assertTrue(d.scan(b, 0, b.length, f));
        assertEquals(9001, f.ruleId());
        assertEquals("our-backdoor", f.ruleName());
        assertEquals("backdoor-42", f.evidenceText());
        assertEquals(4, f.spanStart());
        assertFalse(new Detector(DetectionRules.builtin()).scan(b, 0, b.length, f));
    }

    /** In prose rules a space of an anchor, like one of the pattern, also stands for _ + . - between words. */
    @Test
    void proseAnchorsSpanTheSeparatorsFileNamesUse() throws Exception {
        String rule = " gap-test quartz\\smint\\szebra \\bquartz mint zebra\\b\n";
        DetectionRules prose = DetectionRules.withFile(write("9001 prompt_injection" + rule));
        DetectionRules command = DetectionRules.withFile(write("9001 command_injection" + rule));
        Finding f = new Finding();
        for (String s : new String[] {"please quartz+mint.zebra", "quartz-mint zebra", "quartz.mint zebra"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertTrue(new Detector(prose).scan(b, 0, b.length, f) && f.ruleId() == 9001, s);
            assertFalse(new Detector(command).scan(b, 0, b.length, f) && f.ruleId() == 9001, s);
        }
        assertEquals(25, prose.rules().get(prose.size() - 1).anchors().get(0).size());
    }

    /**
     * A rule is written in its language's script: its anchors and pattern are folded as the text is
     * (Cyrillic о and р are the o and p the text holds), and a full-width paren stays a literal.
     */
    @Test
    void aRuleIsWrittenInItsOwnScript() throws Exception {
        DetectionRules rules = DetectionRules.withFile(write(
                "9001 social_engineering send-password-ru отправь,перешли+пароль (?:отправь|перешли)\\S* (?:мне )?пароль（\\d）\n"));
        assertEquals(java.util.List.of("пapoль"), rules.rules().get(rules.size() - 1).anchors().get(1));
        Detector d = new Detector(rules);
        Finding f = new Finding();
        byte[] b = "Срочно ОТПРАВЬ мне пароль(1)".getBytes(StandardCharsets.UTF_8);
        assertTrue(d.scan(b, 0, b.length, f) && f.ruleId() == 9001, f.toString());
        byte[] word = "отправь пароль".getBytes(StandardCharsets.UTF_8);
        assertFalse(d.scan(word, 0, word.length, f) && f.ruleId() == 9001, "the paren is a literal, not a group");
        refused("9001 sql_injection x ab\u0001c x\n", ":1: anchor 'ab\u0001c' is not lower-case printable text");
    }

    /** AnchorScreen names exactly the rules whose anchors all occur, and hands over the normal form. */
    @Test
    void anchorScreenNamesTheRulesWhosePatternsWouldRun() throws Exception {
        DetectionRules rules = DetectionRules.withFile(write("9001 command_injection both-groups alpha+beta,gamma x\n"));
        AnchorScreen screen = new AnchorScreen(rules);
        int[] passing = new int[rules.size()];
        int ours = rules.size() - 1;
        byte[] both = "ALPHA%20then gamma".getBytes(StandardCharsets.UTF_8);
        int n = screen.passing(both, 0, both.length, passing);
        assertTrue(java.util.Arrays.stream(passing, 0, n).anyMatch(r -> r == ours));
        assertEquals("alpha then gamma", screen.normalForm().toString());
        byte[] one = "alpha alone".getBytes(StandardCharsets.UTF_8);
        n = screen.passing(one, 0, one.length, passing);
        assertFalse(java.util.Arrays.stream(passing, 0, n).anyMatch(r -> r == ours));
    }

    @Test
    void badFilesAreOneLineNamingFileAndLine() throws Exception {
        refused("101 command_injection x y z\n", ":1: rule id 101 is already taken");
        refused("\n9001 command_injection\n", ":2: a rule is ID CLASS NAME ANCHORS PATTERN, this line has 2 of those 5 fields");
        refused("9001 rootkit x * y\n", ":1: unknown class 'rootkit' (one of command_injection, sql_injection,");
        refused("9001 sql_injection x * (unclosed\n", ":1: bad pattern: Unclosed group near index");
        refused("9001 sql_injection Bad_Name * x\n", ":1: rule name 'Bad_Name' is not 1 to 39 characters");
        refused("9001 sql_injection x UPPER x\n", ":1: anchor 'UPPER' is not lower-case printable text");
        refused("70000 sql_injection x * x\n", ":1: rule id '70000' is not a number from 1 to 65535");
        RulesFileException e = assertThrows(RulesFileException.class, () -> DetectionRules.withFile(dir.resolve("none")));
        assertTrue(e.getMessage().startsWith(dir.resolve("none") + ": cannot be read"), e.getMessage());
    }

    /** ThreatClass codes are the record's threat_class (enum tl_threat_class in twinlane_records.h). */
    @Test
    void threatClassCodesMatchTheCHeader() throws IOException {
        String layout;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("bpf/layout.txt")) {
            assertTrue(in != null, "bpf/layout.txt is not on the classpath: ebpf-programs was not built");
            layout = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        long inHeader = layout.lines().filter(l -> l.startsWith("const TL_THREAT_")).count();
        assertEquals(ThreatClass.values().length, inHeader, "a threat class exists on one side only");
        for (ThreatClass c : ThreatClass.values()) {
            assertTrue(layout.contains("const TL_THREAT_" + c.name() + " " + c.code() + " "), c + " = " + c.code());
        }
    }

    private void refused(String text, String expected) throws IOException {
        Path file = write(text);
        RulesFileException e = assertThrows(RulesFileException.class, () -> DetectionRules.withFile(file));
        assertTrue(e.getMessage().startsWith(file + expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private Path write(String text) throws IOException {
        Path p = Files.createTempFile(dir, "rules", ".txt");
        Files.writeString(p, text);
        return p;
    }
}
