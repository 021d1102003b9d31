package dev.twinlane.fuzzer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Strings this host really runs and names, read at run time: command lines of Debian maintainer
 * scripts, systemd units' Exec lines, file paths of installed packages, package descriptions with
 * SQL-looking words, and hard negatives (lines that look dangerous and are not). Each stratum is
 * sorted, then sampled with the seed, so a host and a seed give the same corpus.
 */
public final class BenignCorpus {
    private static final Pattern HARD = Pattern.compile(
            "rm -[rf]+|\\|\\| true|2>/dev/null|>/dev/null|>&2|\\.\\./|cd \\.\\.|chmod|chown|kill|curl|wget|eval|exec |\\$\\(|`");
    private static final Pattern SQL_WORDS = Pattern.compile(
            "(?i)\\b(select|insert|update|delete|drop|table|union|database|query|where|join|sql)\\b");
    private static final Pattern SHELL_SYNTAX_ONLY = Pattern.compile("(fi|then|else|do|done|esac|;;|\\{|\\}|\\)|set -e|exit 0)");
    private static final String[] BUILD_LINES = {
        "gcc -I../include -o ../build/%s.o -c ../src/%s.c", "make -C ../%s install DESTDIR=../stage",
        "cp ../debian/%s.install .", "ln -sf ../lib/%s ../bin/%s", "tar -C ../.. -xf %s.tar.gz",
        "cmake -S .. -B ../build-%s", "rsync -a ../%s/ ./", "./configure --prefix=/usr --with-%s=../%s",
    };

    private final Path root;

    /** The corpus of the host ({@code root} is "/", or a copy of its files for tests). */
    public BenignCorpus(Path root) {
        this.root = root;
    }

    /** count payloads, ids from firstId: 30 % maintainer scripts, 20 % units, 25 % hard negatives, 10 % descriptions, 15 % paths. */
    public List<Payload> sample(int count, long seed, int firstId) throws IOException {
        Random r = new Random(seed);
        List<Payload> out = new ArrayList<>();
        List<String> maintainer = maintainerLines();
        List<String> hard = new ArrayList<>(maintainer.stream().filter(l -> HARD.matcher(l).find()).toList());
        hard.addAll(buildLines(r));
        add(out, "maintainer script", maintainer, count * 30 / 100, r, firstId, false);
        add(out, "systemd unit", execLines(), count * 20 / 100, r, firstId, false);
        add(out, "hard negative", hard, count * 25 / 100, r, firstId, false);
        add(out, "package description", descriptions(), count * 10 / 100, r, firstId, false);
        add(out, "package file", packagePaths(), count - out.size(), r, firstId, true);
        return out;
    }

    private static void add(List<Payload> out, String source, List<String> lines, int n, Random r, int firstId, boolean paths) {
        List<String> pool = new ArrayList<>(lines);
        Collections.shuffle(pool, r);
        for (int i = 0; i < pool.size() && n > 0; i++) {
            String s = pool.get(i);
            Payload p = paths ? (PayloadGenerator.fitsPath(s) ? Payload.file(firstId + out.size(), null, s, source) : null)
                    : asArgv(s, r, firstId + out.size(), source);
            if (p != null) {
                out.add(p);
                n--;
            }
        }
    }

    /** Half as one argument (sh -c LINE), half split into words as a shell would pass them. */
    private static Payload asArgv(String line, Random r, int id, String source) {
        List<String> argv = r.nextBoolean() ? List.of(line) : List.of(line.trim().split("\\s+"));
        return PayloadGenerator.fitsArgv(argv) ? Payload.argv(id, null, argv, source) : null;
    }

    List<String> maintainerLines() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (Path f : files(root.resolve("var/lib/dpkg/info"), ".preinst", ".postinst", ".prerm", ".postrm")) {
            for (String l : lines(f)) {
                String t = l.trim();
                if (!t.isEmpty() && !t.startsWith("#") && !SHELL_SYNTAX_ONLY.matcher(t).matches()) {
                    out.add(t);
                }
            }
        }
        return new ArrayList<>(out);
    }

    List<String> execLines() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (Path dir : List.of(root.resolve("lib/systemd/system"), root.resolve("usr/lib/systemd"))) {
            for (Path f : walk(dir)) {
                for (String l : lines(f)) {
                    if (l.startsWith("Exec") && l.indexOf('=') > 0) {
                        String v = l.substring(l.indexOf('=') + 1).replaceFirst("^[-@:+!]+", "").trim();
                        if (!v.isEmpty()) {
                            out.add(v);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Description lines of installed packages that use SQL's words in plain English. */
    List<String> descriptions() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (String l : lines(root.resolve("var/lib/dpkg/status"))) {
            String t = l.startsWith("Description: ") ? l.substring(13) : l.startsWith(" ") ? l.trim() : "";
            if (t.length() > 3 && SQL_WORDS.matcher(t).find()) {
                out.add(t);
            }
        }
        return new ArrayList<>(out);
    }

    /** Installed files, relative ("usr/share/doc/bash/README"), from the packages' file lists. */
    List<String> packagePaths() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (Path f : files(root.resolve("var/lib/dpkg/info"), ".list")) {
            for (String l : lines(f)) {
                if (l.length() > 1) {
                    out.add(l.substring(1));
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Build commands with ../ paths, named after this host's packages. */
    private List<String> buildLines(Random r) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path f : files(root.resolve("var/lib/dpkg/info"), ".list")) {
            names.add(f.getFileName().toString().replaceFirst("(:.*)?\\.list$", ""));
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            out.add(BUILD_LINES[r.nextInt(BUILD_LINES.length)].replace("%s", name));
        }
        return out;
    }

    private static List<Path> files(Path dir, String... suffixes) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Stream.of(suffixes).anyMatch(x -> p.toString().endsWith(x))).sorted().toList();
        }
    }

    private static List<Path> walk(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)).sorted().toList();
        }
    }

    /** A file's lines, bytes that are not UTF-8 replaced (a maintainer script may hold Latin-1). */
    private static List<String> lines(Path f) throws IOException {
        return new String(Files.readAllBytes(f), StandardCharsets.UTF_8).lines().toList();
    }
}
