package dev.twinlane.bench.ring;

import dev.twinlane.ingest.LoadGenerator;
import dev.twinlane.ingest.RingBufferReader;

/**
 * The Java side of the ring-buffer drain benchmark (issue 2), the same load
 * and loop as bench/native/ring_drain.c: loop { BPF_PROG_TEST_RUN loadgen
 * with `batch` records; RingBufferReader.drain them all } for `total` records,
 * after `warmup` records that are not counted (JIT warm-up).
 *
 * consume-only = sum of the drain calls; produce+consume = wall time of the loop;
 * batch_*_rps: the same two rates from the median batch (robust against
 * preemption on a shared machine). Prints one line:
 *   RESULT impl=java records=N batches=K consume_ns=.. total_ns=.. consume_rps=.. total_rps=..
 *          batch_consume_rps=.. batch_total_rps=.. checksum=..
 *
 * Usage: RingDrainHarness [ring_bytes] [batch] [total] [warmup_records]   (root: loads a BPF program)
 */
public final class RingDrainHarness {
    private RingDrainHarness() {
    }

    public static void main(String[] args) {
        int ringBytes = args.length > 0 ? Integer.decode(args[0]) : 16 << 20;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        long total = args.length > 2 ? Long.parseLong(args[2]) : 50_000_000L;
        long warmup = args.length > 3 ? Long.parseLong(args[3]) : 20_000_000L;
        if (batch <= 0 || total < batch || (long) batch * 72 > ringBytes) {
            throw new IllegalArgumentException("need 0 < batch <= total and batch * 72 bytes <= ring_bytes");
        }
        try (LoadGenerator gen = LoadGenerator.open(ringBytes); RingBufferReader reader = gen.reader()) {
            SumHandler h = new SumHandler();
            long[] totalB = new long[1];
            for (long done = 0; done < warmup; done += batch) {
                oneBatch(gen, reader, h, batch, totalB, 0);
            }
            int nbatches = (int) ((total + batch - 1) / batch);
            long[] consumeB = new long[nbatches];
            totalB = new long[nbatches];
            h.records = 0;
            h.sum = 0;
            long consumeNs = 0;
            int batches = 0;
            long start = System.nanoTime();
            for (long done = 0; done < total; done += batch, batches++) {
                consumeB[batches] = oneBatch(gen, reader, h, batch, totalB, batches);
                consumeNs += consumeB[batches];
            }
            long totalNs = System.nanoTime() - start;
            System.out.printf("RESULT impl=java records=%d batches=%d consume_ns=%d total_ns=%d consume_rps=%.0f"
                    + " total_rps=%.0f batch_consume_rps=%.0f batch_total_rps=%.0f checksum=%d%n",
                    h.records, batches, consumeNs, totalNs, h.records * 1e9 / consumeNs, h.records * 1e9 / totalNs,
                    batch * 1e9 / median(consumeB), batch * 1e9 / median(totalB), h.sum);
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    /** Produces and drains one batch; returns the drain time and stores produce+drain in totalNs[i]. */
    private static long oneBatch(LoadGenerator gen, RingBufferReader reader, SumHandler h, int batch,
            long[] totalNs, int i) {
        long start = System.nanoTime();
        long emitted = gen.emit(batch);
        if (emitted != batch) {
            throw new IllegalStateException("loadgen emitted " + emitted + " of " + batch + " records: ring too small?");
        }
        long t0 = System.nanoTime();
        int n = reader.drain(h, Integer.MAX_VALUE);
        long t1 = System.nanoTime();
        totalNs[i] = t1 - start;
        if (n != batch) {
            throw new IllegalStateException("drained " + n + " of " + batch + " records");
        }
        return t1 - t0;
    }
}
