package dev.twinlane.detector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test payload files (one per line) from this test's resources. */
final class Payloads {
    private Payloads() {
    }

    static List<String> of(String name) {
        try (InputStream in = Payloads.class.getResourceAsStream(name + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name + ".txt");
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
