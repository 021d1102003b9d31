package dev.twinlane.agent;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/**
 * A test hook: with -Dtwinlane.hardening-trial=DIR, the running agent tries, from its own JVM after
 * self-hardening, to create DIR/created (open O_CREAT), make DIR/made (mkdir), rename DIR/existing
 * to DIR/renamed, unlink DIR/doomed and run /bin/sh, and prints one line with each outcome ("ok",
 * EACCES, or what Java reports). LandlockRunTest shows with it that the launcher's Landlock rules
 * and the seccomp filter hold for the agent itself, not only for a helper process.
 */
final class HardeningTrial {
    static final String PROPERTY = "twinlane.hardening-trial";

    private HardeningTrial() {
    }

    static void ifAsked() {
        String dir = System.getProperty(PROPERTY);
        if (dir != null) {
            Path d = Path.of(dir);
            System.err.println("twinlane: hardening trial in " + d + ": create " + outcome(() -> Files.createFile(d.resolve("created")))
                    + ", mkdir " + outcome(() -> Files.createDirectory(d.resolve("made")))
                    + ", rename " + outcome(() -> Files.move(d.resolve("existing"), d.resolve("renamed"), StandardCopyOption.ATOMIC_MOVE))
                    + ", unlink " + outcome(() -> {
                        Files.delete(d.resolve("doomed"));
                        return null;
                    }) + ", exec /bin/sh " + outcome(() -> new ProcessBuilder("/bin/sh", "-c", "exit 0").start().waitFor()));
        }
    }

    private static String outcome(Callable<?> write) {
        try {
            write.call();
            return "ok";
        } catch (AccessDeniedException e) {
            return "EACCES";
        } catch (IOException e) {
            return e.getClass().getSimpleName() + " " + e.getMessage();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
