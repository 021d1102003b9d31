package dev.twinlane.siem;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * {@code ./twinlane siem --bootstrap HOST:PORT [--key FILE]... [--seal-key PUBFILE] [--out FILE]
 * [--group ID] [--idle-exit 30s] [--client-properties FILE] [--security-topic T] [--seals-topic T]}.
 * Exit status: 0; with --idle-exit, 1 when any chain problem was flagged.
 */
public final class Siem {
    static final Set<String> PROBLEMS = Set.of("modified", "missing", "inserted", "wrong-key", "truncated", "unreadable");

    private Siem() {
    }

    public static String usage() {
        return "consume the security topic, verify every host's chain, write OCSF JSON lines"
                + " --bootstrap HOST:PORT [--key FILE] [--seal-key PUBFILE] [--out FILE] [--idle-exit 30s]";
    }

    /** Runs the consumer; IllegalArgumentException for a bad command line. */
    public static int run(String[] args) throws IOException {
        SiemConsumer.Options o = new SiemConsumer.Options();
        Path outFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument '" + a + "'");
            }
            String v = args[++i];
            switch (a) {
                case "--bootstrap" -> o.bootstrap = v;
                case "--key" -> o.keyFiles.add(Path.of(v));
                case "--seal-key" -> o.sealPublicKey = Path.of(v);
                case "--out" -> outFile = Path.of(v);
                case "--group" -> o.group = v;
                case "--idle-exit" -> o.idleExit = duration(v);
                case "--security-topic" -> o.securityTopic = v;
                case "--seals-topic" -> o.sealsTopic = v;
                case "--client-properties" -> {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(Path.of(v))) {
                        p.load(in);
                    }
                    p.forEach((k, val) -> o.client.put(k.toString(), val.toString()));
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (o.bootstrap == null) {
            throw new IllegalArgumentException("--bootstrap HOST:PORT is required");
        }
        Writer out = new BufferedWriter(new OutputStreamWriter(outFile == null ? System.out
                : new FileOutputStream(outFile.toFile(), true), StandardCharsets.UTF_8), 1 << 16);
        SiemConsumer c = new SiemConsumer(o, out);
        Thread hook = new Thread(c::stop, "twinlane-siem-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        SiemConsumer.Stats stats;
        try {
            System.err.println("twinlane siem: consuming " + o.securityTopic + " and " + o.sealsTopic + " from "
                    + o.bootstrap + " as group " + o.group + "; chain check: "
                    + (o.keyFiles.isEmpty() ? "links and seals (no HMAC key given)" : "every MAC")
                    + (o.sealPublicKey == null ? ", seals with the key each log names" : ", seals with " + o.sealPublicKey));
            stats = c.run();
        } finally {
            c.close();
            if (outFile != null) {
                out.close();
            } else {
                out.flush();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // stopping through the hook
            }
        }
        System.err.println("twinlane siem: " + stats);
        if (o.idleExit != null) {
            for (String p : PROBLEMS) {
                if (stats.alerts(p) > 0) {
                    return 1;
                }
            }
        }
        return 0;
    }

    /**
     * 10s, 1.5s, 500ms, 2m, or a bare number of seconds; IllegalArgumentException otherwise. The
     * agent's own options read durations with it too, so both commands accept the same forms.
     */
    public static Duration duration(String v) {
        try {
            if (v.endsWith("us")) {
                return Duration.ofNanos(Long.parseLong(v.substring(0, v.length() - 2)) * 1000);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            }
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a duration like 30s or 500ms, not '" + v + "'");
        }
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args));
    }
}
