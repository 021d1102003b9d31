package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/twinlane.service checked by Debian's systemd-analyze (installed by scripts/ensure-deps)
 * with no systemd running: `verify` and `security --offline` in a root made for it, holding systemd's
 * own units (the default dependencies), the unit, and the launcher where the unit expects it.
 */
class SystemdUnitTest {
    private static final Path UNIT = Prometheus.repoRoot().resolve("deploy/systemd/twinlane.service");

    @TempDir
    static Path root;

    @BeforeAll
    static void tools() throws Exception {
        Process deps = new ProcessBuilder(Prometheus.repoRoot().resolve("scripts/ensure-deps").toString(),
                "systemd-analyze").inheritIO().start();
        assertEquals(0, deps.waitFor(), "scripts/ensure-deps systemd-analyze");
        Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.copy(p, units.resolve(p.getFileName().toString()));
            }
        }
        Path launcher = Files.createDirectories(root.resolve("opt/twinlane")).resolve("twinlane");
        Files.copy(Prometheus.repoRoot().resolve("twinlane"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(root.resolve("etc/systemd/system"));
    }

    @Test
    void verifySaysNothing() throws Exception {
        Result r = analyze(Files.readString(UNIT), "verify", "twinlane.service");
        assertEquals(new Result(0, ""), r, "systemd-analyze verify on deploy/systemd/twinlane.service");
    }

    @Test
    void aMisspelledDirectiveIsReported() throws Exception {
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("\nProtectSystem=strict\n"));
        Result r = analyze(unit.replace("\nProtectSystem=strict\n", "\nProtectSystm=strict\n"), "verify", "twinlane.service");
        System.out.println("misspelled: " + r);
        assertTrue(r.output().contains("Unknown key 'ProtectSystm'"), r.toString());
    }

    /** systemd ignores a capability name it does not know without a word: each must be one it lists. */
    @Test
    void everyCapabilityIsKnownAndBpfOnesAreKept() throws Exception {
        Set<String> known = analyze(Files.readString(UNIT), "capability").output().lines().skip(1)
                .map(l -> l.trim().split("\\s+")[0].toUpperCase()).collect(Collectors.toSet());
        assertTrue(known.contains("CAP_BPF"), "systemd-analyze capability lists CAP_BPF: " + known);
        for (String directive : List.of("CapabilityBoundingSet=", "AmbientCapabilities=")) {
            List<String> caps = Files.readAllLines(UNIT).stream().filter(l -> l.startsWith(directive))
                    .flatMap(l -> Arrays.stream(l.substring(directive.length()).trim().split("\\s+"))).toList();
            assertTrue(caps.containsAll(List.of("CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN")), directive + caps);
            for (String c : caps) {
                assertTrue(known.contains(c), directive + c + " is not a capability systemd knows");
            }
        }
    }

    /** systemd's own exposure score of the unit's sandbox, with no systemd running: OK or better. */
    @Test
    void securityExposureIsOkOrBetter() throws Exception {
        Result r = analyze(Files.readString(UNIT), "security", "--offline=true", "twinlane.service");
        String overall = r.output().lines().filter(l -> l.contains("Overall exposure level")).findFirst().orElse("");
        System.out.println(overall);
        assertTrue(overall.matches(".*: \\d+\\.\\d+ (OK|SAFE|PERFECT).*"), r.output());
    }

    private record Result(int code, String output) {
    }

    private static Result analyze(String unit, String... args) throws Exception {
        Files.writeString(root.resolve("etc/systemd/system/twinlane.service"), unit);
        List<String> cmd = new ArrayList<>(List.of("systemd-analyze", args[0]));
        if (!args[0].equals("capability")) {
            cmd.add("--root=" + root);
        }
        cmd.addAll(Arrays.asList(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
