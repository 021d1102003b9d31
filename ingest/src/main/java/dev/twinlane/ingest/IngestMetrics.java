package dev.twinlane.ingest;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.twinlane.records.Ring;

/**
 * Micrometer view of the kernel side, read on scrape (nothing on the hot
 * path): records per ring; twinlane.drops{hop,reason,ring} for malformed
 * records and kernel reservation failures (the lanes add their own hops
 * under the same name); and the unread backlog.
 */
public final class IngestMetrics {
    private IngestMetrics() {
    }

    public static void bind(KernelIngest kernel, MeterRegistry registry) {
        for (Ring ring : Ring.values()) {
            RingBufferReader reader = kernel.reader(ring);
            FunctionCounter.builder("twinlane.ingest.records", reader, RingBufferReader::records)
                    .description("well-formed records read from the kernel ring").tag("ring", ring.label())
                    .register(registry);
            FunctionCounter.builder("twinlane.drops", reader, RingBufferReader::malformed)
                    .description("records dropped by the reader").tag("ring", ring.label())
                    .tag("hop", "reader").tag("reason", "malformed").register(registry);
            FunctionCounter.builder("twinlane.drops", kernel, k -> k.drops(ring) - k.dropsBefore(ring))
                    .description("records the kernel could not reserve ring space for, since this agent started").tag("ring", ring.label())
                    .tag("hop", "kernel").tag("reason", "ring_full").register(registry);
            FunctionCounter.builder("twinlane.ingest.late.wakeups", reader, RingBufferReader::lateWakeups)
                    .description("reader sleeps that ran to their timeout with records waiting (undelivered wakeups)")
                    .tag("ring", ring.label()).register(registry);
            Gauge.builder("twinlane.ingest.backlog.bytes", reader, RingBufferReader::backlog)
                    .description("bytes committed by the kernel, not yet read").tag("ring", ring.label())
                    .register(registry);
        }
    }
}
