package dev.twinlane.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Run by SelfHardeningTest in a JVM of its own (the filter cannot be taken off): starts threads,
 * hardens, then reports what still works, one "key value" line each.
 */
public final class SelfHardeningChild {
    private SelfHardeningChild() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> await(done), "started-before-" + i);
            t.setDaemon(true);
            t.start();
        }
        SelfHardening.apply();
        int[] filtered = new int[1];
        Thread later = new Thread(() -> filtered[0] = 1, "started-after");
        later.start();
        later.join();
        int threads = 0;
        int seccomp = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                threads++;
                seccomp += Files.readString(task.resolve("status")).contains("\nSeccomp:\t2\n") ? 1 : 0;
            }
        }
        System.out.println("threads " + threads + " filtered " + seccomp);
        try {
            new ProcessBuilder("/bin/sh", "-c", "exit 0").start().waitFor();
            System.out.println("exec ok");
        } catch (IOException e) {
            System.out.println("exec refused " + e.getMessage());
        }
        Path file = Files.writeString(Path.of(args[0]), "still writes\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.out.println("write " + Files.readString(file).strip() + ", listen " + (s.getLocalPort() > 0));
        }
        done.countDown();
    }

    private static void await(CountDownLatch done) {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
