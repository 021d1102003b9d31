package dev.twinlane.broker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class of the format JVM: Kafka's StorageTool with one {@code --add-scram} per line of
 * standard input appended to its arguments, so that SCRAM passwords never appear on a command
 * line (where any user of the host could read them in /proc).
 */
public final class FormatMain {
    private FormatMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isEmpty()) {
                    all.add("--add-scram");
                    all.add(line);
                }
            }
        }
        Class.forName("kafka.tools.StorageTool").getMethod("main", String[].class)
                .invoke(null, (Object) all.toArray(new String[0]));
    }
}
