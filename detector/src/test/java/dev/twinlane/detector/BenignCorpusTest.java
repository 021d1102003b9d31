package dev.twinlane.detector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * False positives on this machine's own command lines, built at test time: Debian maintainer
 * scripts, systemd Exec lines, package descriptions (SQL-looking words), and the hard negatives.
 */
class BenignCorpusTest {
    private static final double MAX_FALSE_POSITIVE_RATE = 0.001;

    @Test
    void falsePositivesOnTheBenignCorpusStayUnderOnePerMille() throws IOException {
        List<String> corpus = corpus();
        assertTrue(corpus.size() >= 1000, "the benign corpus has only " + corpus.size()
                + " lines: is this a Debian system with /var/lib/dpkg and systemd units?");
        Detector detector = new Detector(DetectionRules.builtin());
        Finding f = new Finding();
        List<String> flagged = new ArrayList<>();
        for (String line : corpus) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            if (detector.scan(b, 0, b.length, f)) {
                flagged.add(line + "  ->  " + f);
            }
        }
        double rate = (double) flagged.size() / corpus.size();
        System.out.printf("benign corpus: %d lines, %d flagged, false-positive rate %.4f %%%n", corpus.size(),
                flagged.size(), rate * 100);
        flagged.stream().limit(20).forEach(l -> System.out.println("  flagged: " + l));
        assertTrue(rate <= MAX_FALSE_POSITIVE_RATE, flagged.size() + " of " + corpus.size() + " flagged: " + flagged);
    }

    static List<String> corpus() throws IOException {
        List<String> lines = new ArrayList<>(Payloads.of("hard_negatives"));
        try (Stream<Path> s = list(Path.of("/var/lib/dpkg/info"))) {
            for (Path p : (Iterable<Path>) s.filter(BenignCorpusTest::maintainerScript)::iterator) {
                for (String l : read(p)) {
                    String t = l.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        lines.add(t);
                    }
                }
            }
        }
        for (String dir : List.of("/lib/systemd/system", "/usr/lib/systemd")) {
            try (Stream<Path> s = walk(Path.of(dir))) {
                for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                    read(p).stream().map(String::strip).filter(l -> l.matches("Exec[A-Za-z]*=.*")).forEach(lines::add);
                }
            }
        }
        for (String l : read(Path.of("/var/lib/dpkg/status"))) {
            if (l.startsWith("Description:") || l.startsWith(" ") && l.length() > 2) {
                lines.add(l.strip());
            }
        }
        return lines;
    }

    private static boolean maintainerScript(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".preinst") || n.endsWith(".postinst") || n.endsWith(".prerm") || n.endsWith(".postrm");
    }

    private static List<String> read(Path p) {
        try {
            return List.of(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n"));
        } catch (IOException e) {
            return List.of(); // a unit or script we may not read is not part of the corpus
        }
    }

    private static Stream<Path> list(Path dir) throws IOException {
        return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
    }

    private static Stream<Path> walk(Path dir) throws IOException {
        return Files.isDirectory(dir) ? Files.walk(dir) : Stream.empty();
    }
}
