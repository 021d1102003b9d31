package dev.twinlane.agent;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.ingest.RecordView;
import dev.twinlane.ingest.Ring;
import dev.twinlane.ingest.RingBufferReader;

/** `twinlane run`: loads the kernel side and consumes both rings until stopped. */
final class RunCommand implements Command {
    public String name() {
        return "run";
    }

    public String summary() {
        return "run the agent [--duration 10s] [--print security|observability|all] [--mode audit|enforce]";
    }

    public int run(String[] args) throws Exception {
        Options o = Options.parse(args,
                Set.of("duration", "print", "mode", "sample-rate", "deny-port", "deny-addr", "deny-file", "watch", "watch-file"),
                Set.of("record-all-opens"));
        Duration duration = o.duration("duration", null);
        String print = o.get("print", null);
        if (print != null && !Set.of("security", "observability", "all").contains(print)) {
            throw new UsageException("--print wants security, observability or all, not '" + print + "'");
        }
        IngestConfig config = new IngestConfig()
                .mode(mode(o.get("mode", "enforce")))
                .recordAllOpens(o.has("record-all-opens"))
                .syscallSampleRate(o.integer("sample-rate", 100));
        try (KernelIngest kernel = KernelIngest.start(config)) {
            applyPolicy(kernel, o);
            System.err.println(HookSummary.line(kernel.hooks(), config.mode()));
            StatusFile.write(kernel.hooks(), config.mode());
            try {
                consume(kernel, print, duration);
            } finally {
                StatusFile.remove();
            }
            for (Ring r : Ring.values()) {
                RingBufferReader reader = kernel.reader(r);
                System.err.printf("twinlane: %s ring: %d records, %d malformed, %d dropped in kernel%n",
                        r.label(), reader.records(), reader.malformed(), kernel.drops(r));
            }
        }
        return 0;
    }

    static IngestConfig.Mode mode(String m) throws UsageException {
        switch (m) {
            case "audit": return IngestConfig.Mode.AUDIT;
            case "enforce": return IngestConfig.Mode.ENFORCE;
            default: throw new UsageException("--mode wants audit or enforce, not '" + m + "'");
        }
    }

    private static void applyPolicy(KernelIngest kernel, Options o) throws Exception {
        for (String p : o.all("deny-port")) {
            kernel.policy().denyPort(Integer.parseInt(p));
        }
        for (String a : o.all("deny-addr")) {
            kernel.policy().denyAddress(InetAddress.getByName(a));
        }
        for (String f : o.all("deny-file")) {
            kernel.policy().denyInode(Path.of(f));
        }
        for (String w : o.all("watch")) {
            kernel.policy().watchPrefix(w);
        }
        for (String f : o.all("watch-file")) {
            kernel.policy().watchInode(Path.of(f));
        }
    }

    private static void consume(KernelIngest kernel, String print, Duration duration) throws InterruptedException {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown);
        Runtime.getRuntime().addShutdownHook(hook);
        List<Thread> threads = new ArrayList<>();
        for (Ring ring : Ring.values()) {
            boolean show = "all".equals(print) || ring.label().equals(print);
            RingBufferReader reader = kernel.reader(ring);
            Thread t = new Thread(() -> {
                while (running.get()) {
                    reader.poll(show ? (RecordView r) -> out.println(RecordJson.render(r)) : r -> { }, 100, 4096);
                }
            }, "ring-" + ring.label());
            t.start();
            threads.add(t);
        }
        if (duration == null) {
            stop.await();
        } else {
            stop.await(duration.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        out.flush();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the JVM is already on its way out.
        }
    }
}
