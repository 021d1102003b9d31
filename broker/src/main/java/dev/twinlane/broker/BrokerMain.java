package dev.twinlane.broker;

import java.io.IOException;

/**
 * Main class of the broker JVM: runs {@code kafka.Kafka} with a watchdog that ends the broker
 * when the launching JVM goes away (its end of our standard input closes, even on SIGKILL), so
 * that no test or demo leaves an orphan broker holding a port and a log directory.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; we only wait for end of file
                }
            } catch (IOException e) {
                // treated like end of file
            }
            System.err.println("twinlane broker: the launching process is gone; shutting down");
            System.exit(0); // Kafka's shutdown hook does a controlled shutdown
        }, "twinlane-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
    }
}
