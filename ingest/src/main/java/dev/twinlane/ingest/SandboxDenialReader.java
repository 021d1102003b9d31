package dev.twinlane.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.twinlane.records.DenialSource;

/**
 * Reads the kernel's audit stream ({@link AuditStream}) on a thread of its own and hands each
 * sandbox denial ({@link AuditDenials}) on as a security record, to be chained by the router.
 * Cold path: a denial is rare, so it may allocate; what it keeps is bounded by AuditDenials.
 */
public final class SandboxDenialReader implements AutoCloseable {
    private static final int POLL_MS = 200;

    private final AuditStream stream;
    private final Consumer<byte[]> records;
    private final Map<DenialSource, LongAdder> denials = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> problems = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    private SandboxDenialReader(AuditStream stream, Consumer<byte[]> records) {
        this.stream = stream;
        this.records = records;
        for (DenialSource s : DenialSource.values()) {
            denials.put(s, new LongAdder());
        }
        for (String reason : new String[] {"unparsable", "landlock_without_syscall", "overrun"}) {
            problems.put(reason, new LongAdder());
        }
        this.thread = new Thread(this::loop, "sandbox-denials");
        thread.setDaemon(true);
    }

    /** Joins the audit stream (throws IngestException when it cannot) and starts reading it. */
    public static SandboxDenialReader start(Consumer<byte[]> records) {
        SandboxDenialReader r = new SandboxDenialReader(AuditStream.readLog(POLL_MS), records);
        r.thread.start();
        return r;
    }

    private void loop() {
        AuditDenials denialsOf = new AuditDenials(new AuditDenials.Sink() {
            @Override
            public void denial(SandboxDenial d) {
                denials.get(d.source()).increment();
                records.accept(d.toRecord(KernelClock.bootNanos()));
            }

            @Override
            public void problem(String reason) {
                problems.get(reason).increment();
            }
        });
        AuditStream.Record r = new AuditStream.Record();
        while (running) {
            try {
                if (stream.next(r) && AuditDenials.wants(r.type())) {
                    denialsOf.accept(r.type(), r.text(), System.currentTimeMillis());
                } else {
                    denialsOf.expire(System.currentTimeMillis());
                }
            } catch (AuditStream.Failure e) {
                if (e.errno() != AuditStream.ENOBUFS) {
                    failure = e.getMessage();
                    return;
                }
                problems.get("overrun").increment();  // the socket overflowed: how many records is unknown
            }
        }
        denialsOf.expire(Long.MAX_VALUE / 2);  // at the stop, Landlock denials still waiting leave as they are
    }

    /** Denials handed on, of this source. */
    public long denials(DenialSource s) {
        return denials.get(s).sum();
    }

    /** Problems of this reason: unparsable, landlock_without_syscall, overrun. */
    public long problems(String reason) {
        LongAdder a = problems.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** Null while reading, or why the reader stopped. */
    public String failure() {
        return failure;
    }

    /** twinlane_sandbox_denials_total{source} and twinlane_sandbox_denial_problems_total{reason}. */
    public void bind(MeterRegistry registry) {
        for (DenialSource s : DenialSource.values()) {
            FunctionCounter.builder("twinlane.sandbox.denials", this, r -> r.denials(s))
                    .description("sandboxed workloads' denials read from the kernel's audit stream and handed to the security lane")
                    .tag("source", s.label()).register(registry);
        }
        for (String reason : problems.keySet()) {
            FunctionCounter.builder("twinlane.sandbox.denial.problems", this, r -> r.problems(reason))
                    .description("audit records of sandbox denials read badly (unparsable), incompletely "
                            + "(landlock_without_syscall: pid from the domain's creator), or lost (overrun: the socket overflowed)")
                    .tag("reason", reason).register(registry);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        stream.close();
    }
}
