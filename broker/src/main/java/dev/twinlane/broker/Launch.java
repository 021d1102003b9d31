package dev.twinlane.broker;

/**
 * One broker (for {@link BrokerCommand}) in the foreground, its output
 * on stdout, until Ctrl-C or SIGTERM (which stop it with a controlled shutdown).
 */
public final class Launch {
    private Launch() {
    }

    /** Runs a broker until it exits or this JVM is asked to stop; the exit status. */
    public static int foreground(KafkaBroker.Settings settings) throws Exception {
        KafkaBroker b = KafkaBroker.start(settings.echo(System.out));
        Thread hook = new Thread(() -> {
            try {
                b.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "twinlane-broker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println("twinlane broker: Kafka " + listeners(b) + " ready (KRaft, data " + b.dataDir()
                + ", pid " + b.pid() + "); Ctrl-C stops it");
        int status = b.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // stopping through the hook
        }
        return status;
    }

    private static String listeners(KafkaBroker b) {
        if (b.saslSslBootstrap() == null) {
            return b.bootstrap();
        }
        String tls = "SASL_SSL " + b.saslSslBootstrap() + " (SCRAM-SHA-512, CA " + b.caFile() + ")";
        return b.bootstrap().equals(b.saslSslBootstrap()) ? tls : "PLAINTEXT " + b.bootstrap() + ", " + tls;
    }
}
