package dev.twinlane.broker;

import java.nio.file.Path;

/**
 * {@code ./twinlane broker --port PORT --data-dir DIR}: one broker in the foreground, its output
 * on stdout, until Ctrl-C or SIGTERM (which stop it with a controlled shutdown).
 */
public final class Launch {
    private Launch() {
    }

    /** Runs a broker until it exits or this JVM is asked to stop; the exit status. */
    public static int foreground(int port, Path dataDir) throws Exception {
        KafkaBroker b = KafkaBroker.start(new KafkaBroker.Settings().port(port).dataDir(dataDir).echo(System.out));
        Thread hook = new Thread(() -> {
            try {
                b.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "twinlane-broker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println("twinlane broker: Kafka " + b.bootstrap() + " ready (KRaft, data " + b.dataDir()
                + ", pid " + b.pid() + "); Ctrl-C stops it");
        int status = b.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // stopping through the hook
        }
        return status;
    }

    public static void main(String[] args) throws Exception {
        int port = 9092;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--data-dir" -> dir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--data-dir DIR is required");
        }
        System.exit(foreground(port, dir));
    }
}
