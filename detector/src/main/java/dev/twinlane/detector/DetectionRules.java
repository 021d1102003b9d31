package dev.twinlane.detector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The detector's rules: the builtin ones (resource {@code rules.txt}), and a user's file that adds
 * to them. Format (detector/README.md): one rule per line, {@code ID CLASS NAME ANCHORS PATTERN},
 * '#' starts a comment line. Immutable; share it between detectors.
 */
public final class DetectionRules {
    /** Rule names are kept in the record's fixed rule[] field, NUL included. */
    public static final int NAME_MAX = 39;
    private static final String BUILTIN = "rules.txt";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final List<Rule> rules;

    private DetectionRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** One rule: a class, an id and name, literals one of which must occur, and a pattern. */
    public record Rule(int id, ThreatClass threatClass, String name, List<List<String>> anchors, Pattern pattern,
            byte[] nameBytes) {
    }

    /** The rules that ship with twinlane. */
    public static DetectionRules builtin() {
        try (InputStream in = DetectionRules.class.getResourceAsStream(BUILTIN)) {
            if (in == null) {
                throw new IllegalStateException("the builtin detector rules are missing from the classpath");
            }
            return new DetectionRules(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "builtin " + BUILTIN, new ArrayList<>()));
        } catch (IOException | RulesFileException e) {
            throw new IllegalStateException("the builtin detector rules do not load: " + e.getMessage(), e);
        }
    }

    /** The builtin rules and those of {@code file} after them; a bad file is one line naming file:line. */
    public static DetectionRules withFile(Path file) throws RulesFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RulesFileException(file + ": cannot be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
        return builtin().extendedBy(text, file.toString());
    }

    /** These rules and those of {@code text} (named {@code source} in errors) after them. */
    public DetectionRules extendedBy(String text, String source) throws RulesFileException {
        return new DetectionRules(parse(text, source, new ArrayList<>(rules)));
    }

    public List<Rule> rules() {
        return rules;
    }

    public int size() {
        return rules.size();
    }

    private static List<Rule> parse(String text, String source, List<Rule> into) throws RulesFileException {
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Rule r : into) {
            ids.add(r.id());
            names.add(r.name());
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Rule r = parseLine(line, source + ":" + (i + 1));
            if (!ids.add(r.id())) {
                throw new RulesFileException(source + ":" + (i + 1) + ": rule id " + r.id() + " is already taken");
            }
            if (!names.add(r.name())) {
                throw new RulesFileException(source + ":" + (i + 1) + ": rule name " + r.name() + " is already taken");
            }
            into.add(r);
        }
        return into;
    }

    private static Rule parseLine(String line, String where) throws RulesFileException {
        String[] f = line.split("\\s+", 5);
        if (f.length < 5) {
            throw new RulesFileException(where + ": a rule is ID CLASS NAME ANCHORS PATTERN, this line has "
                    + f.length + " of those 5 fields");
        }
        int id = id(f[0], where);
        ThreatClass c = ThreatClass.ofLabel(f[1]);
        if (c == null) {
            throw new RulesFileException(where + ": unknown class '" + f[1] + "' (one of " + classes() + ")");
        }
        if (!NAME.matcher(f[2]).matches() || f[2].length() > NAME_MAX) {
            throw new RulesFileException(where + ": rule name '" + f[2] + "' is not 1 to " + NAME_MAX
                    + " characters of a-z 0-9 . _ -");
        }
        boolean prose = c == ThreatClass.PROMPT_INJECTION || c == ThreatClass.SOCIAL_ENGINEERING;
        List<List<String>> anchors = anchors(f[3], where);
        String pattern = folded(f[4], true);
        return new Rule(id, c, f[2], prose ? wordGapAnchors(anchors) : anchors, pattern(prose ? wordGaps(pattern) : pattern, where),
                f[2].getBytes(StandardCharsets.US_ASCII));
    }

    private static int id(String s, String where) throws RulesFileException {
        try {
            int id = Integer.parseInt(s);
            if (id >= 1 && id <= 65535) {
                return id;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new RulesFileException(where + ": rule id '" + s + "' is not a number from 1 to 65535");
    }

    /** Groups joined by '+', each a comma-separated choice of literals: every group must occur. */
    private static List<List<String>> anchors(String s, String where) throws RulesFileException {
        if (s.equals("*")) {
            return List.of();
        }
        List<List<String>> groups = new ArrayList<>();
        for (String group : s.split("\\+", -1)) {
            groups.add(group(group, where));
        }
        if (groups.size() > 8) {
            throw new RulesFileException(where + ": at most 8 anchor groups, not " + groups.size());
        }
        return List.copyOf(groups);
    }

    private static List<String> group(String s, String where) throws RulesFileException {
        List<String> out = new ArrayList<>();
        for (String literal : s.split(",", -1)) {
            String a = literal.replace("\\n", "\n").replace("\\s", " ").replace("\\c", ",").replace("\\p", "+")
                    .replace("\\0", "\0");
            if (a.isEmpty() || !a.equals(a.toLowerCase(Locale.ROOT)) || !a.chars().allMatch(ch -> ch >= 32 && ch != 127 || ch == '\n' || ch == 0)) {
                throw new RulesFileException(where + ": anchor '" + a + "' is not lower-case printable text"
                        + " (anchors are literals of the normalised text, comma-separated, groups joined by +, \\s \\c \\p \\n \\0 for a space, comma, plus, newline or NUL; or * for none)");
            }
            out.add(folded(a, false));
        }
        return List.copyOf(out);
    }

    /**
     * Chars beyond ASCII as the normaliser folds the text they are to match (Cyrillic о is o there,
     * a zero-width char is gone), so a rule can be written in the script of its language; in a
     * pattern a char that folds to a regex metachar (full-width '（') stays a literal.
     */
    static String folded(String s, boolean regex) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            char f = ch < 128 ? ch : Confusables.fold(ch);
            if (f == Confusables.DROP) {
                continue;
            }
            if (regex && ch >= 128 && f < 128 && "\\^$.|?*+()[]{}".indexOf(f) >= 0) {
                b.append('\\');
            }
            b.append(f);
        }
        return b.toString();
    }

    private static Pattern pattern(String s, String where) throws RulesFileException {
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw new RulesFileException(where + ": bad pattern: " + e.getDescription() + " near index "
                    + e.getIndex());
        }
    }

    /**
     * In prose rules a space also matches the separators file names use for blanks
     * ({@code ignore-all.previous+instructions}; '_' between letters is a blank already); inside [...]
     * it is left alone.
     */
    static String wordGaps(String pattern) {
        StringBuilder b = new StringBuilder(pattern.length() + 32);
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                b.append(ch).append(pattern.charAt(++i));
                continue;
            }
            inClass = ch == '[' || inClass && ch != ']';
            b.append(ch == ' ' && !inClass ? WORD_GAP : String.valueOf(ch));
        }
        return b.toString();
    }

    private static final String WORD_GAP = "[ _+.-]";
    private static final String WORD_GAP_CHARS = " _+.-";

    /**
     * In prose rules a space of an anchor stands for any char a space of the pattern matches, as
     * {@link #wordGaps} makes it, so that a narrow phrase ({@code take\sno}) is one literal to write.
     */
    static List<List<String>> wordGapAnchors(List<List<String>> groups) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> group : groups) {
            Set<String> literals = new LinkedHashSet<>();
            for (String a : group) {
                gapVariants(a, 0, new StringBuilder(), literals);
            }
            out.add(List.copyOf(literals));
        }
        return List.copyOf(out);
    }

    private static void gapVariants(String a, int i, StringBuilder prefix, Set<String> into) {
        int space = a.indexOf(' ', i);
        if (space < 0) {
            into.add(prefix + a.substring(i));
            return;
        }
        for (int k = 0; k < WORD_GAP_CHARS.length(); k++) {
            int mark = prefix.length();
            prefix.append(a, i, space).append(WORD_GAP_CHARS.charAt(k));
            gapVariants(a, space + 1, prefix, into);
            prefix.setLength(mark);
        }
    }

    private static String classes() {
        StringBuilder b = new StringBuilder();
        for (ThreatClass c : ThreatClass.values()) {
            b.append(b.length() == 0 ? "" : ", ").append(c.label());
        }
        return b.toString();
    }
}
