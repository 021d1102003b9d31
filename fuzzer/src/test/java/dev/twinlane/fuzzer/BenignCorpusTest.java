package dev.twinlane.fuzzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenignCorpusTest {
    @TempDir
    Path root;

    private void write(String path, String text) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void host() throws Exception {
        StringBuilder script = new StringBuilder("#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n");
        StringBuilder list = new StringBuilder("/.\n");
        for (int i = 0; i < 50; i++) {
            script.append("  update-alternatives --install /usr/bin/t").append(i).append(" t /usr/bin/t").append(i).append(" 10\n");
            script.append("  rm -f /var/cache/p").append(i).append(" 2>/dev/null || true\n");
            list.append("/usr/share/doc/p").append(i).append("/README\n");
        }
        write("var/lib/dpkg/info/p.postinst", script.append("fi\n").toString());
        write("var/lib/dpkg/info/p.list", list.toString());
        write("lib/systemd/system/p.service", "[Service]\nExecStart=/usr/sbin/pd --foreground\nExecReload=-/bin/kill -HUP $MAINPID\n");
        write("var/lib/dpkg/status", "Package: p\nDescription: select rows from a database\n fast SQL query tool\n");
    }

    @Test
    void theSameHostAndSeedGiveTheSameCorpusDrawnFromEveryStratum() throws Exception {
        host();
        List<Payload> a = new BenignCorpus(root).sample(100, 9, 1000);
        assertEquals(a, new BenignCorpus(root).sample(100, 9, 1000));
        assertNotEquals(a, new BenignCorpus(root).sample(100, 10, 1000));
        assertEquals(1000, a.get(0).id());
        Map<String, Long> by = a.stream().collect(Collectors.groupingBy(Payload::how, Collectors.counting()));
        assertEquals(30, by.get("maintainer script"), by.toString());
        assertEquals(2, by.get("systemd unit"), "both Exec lines, no more: " + by);
        assertEquals(25, by.get("hard negative"), by.toString());
        assertEquals(2, by.get("package description"), by.toString());
        assertTrue(a.stream().allMatch(Payload::benign));
        assertTrue(a.stream().anyMatch(p -> String.join(" ", p.strings()).contains("rm -f")), "hard negatives");
        assertTrue(a.stream().anyMatch(p -> String.join(" ", p.strings()).contains("/bin/kill -HUP")), "the unit's prefix '-' is cut");
        assertTrue(a.stream().anyMatch(p -> p.channel() == Payload.Channel.FILE && p.path().startsWith("usr/share/doc/")), "package paths");
        assertTrue(a.stream().noneMatch(p -> p.strings().contains("fi") || p.strings().contains("set -e")), "bare shell syntax is left out");
    }
}
