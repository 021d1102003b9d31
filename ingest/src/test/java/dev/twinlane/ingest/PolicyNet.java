package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * Connects and binds on loopback addresses (127.77.0.0/16: every 127/8 address is local), for policy tests
 * (the agent's too, through the test jar).
 */
public final class PolicyNet {
    private PolicyNet() {
    }

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public static ServerSocket server(String addr) throws IOException {
        return new ServerSocket(0, 50, ip(addr));
    }

    public static void assertRefused(ServerSocket server) {
        try (Socket s = new Socket()) {
            SocketException e = assertThrows(SocketException.class, () -> s.connect(
                    new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 2000));
            assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static void assertConnects(ServerSocket server) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 2000);
            assertTrue(s.isConnected());
        }
    }

    /**
     * Connects within {@code millis}: for a moment after a restarted agent replaced a link pin the
     * old program still runs (the kernel frees an unpinned link after an RCU grace period, longer
     * on a loaded machine), so a decision right then can still be the old program's.
     */
    public static void awaitConnects(ServerSocket server, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            try {
                assertConnects(server);
                return;
            } catch (SocketException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
