package dev.twinlane.ingest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;

/**
 * Fills an emptied slot with a policy's entries, from two threads when the policy is large. The
 * kernel inserts a batch entry by entry, and inserts into different maps, or different buckets of
 * one hash map, do not wait for each other; so on two cores a large policy's entries are split in
 * two halves of equal cost (a map may be cut in two) and the halves written at once. Small
 * policies are written by the caller alone: the hand-off would cost more than it saves.
 */
final class SlotFiller {
    /** Below this many entries one thread fills the slot: the hand-off is not worth it. */
    static final int PARALLEL_FROM = 2048;
    /**
     * An LPM trie's insert allocates its node(s) and walks the trie under the map's lock: about
     * three times a preallocated hash map's insert (bench/README.md, "Policy plane"). Halves cut by
     * entry count left the thread holding the tries with most of the work.
     */
    static final int TRIE_COST = 3;
    private static final Set<PolicyMap> TRIES =
            EnumSet.of(PolicyMap.DENY_PREFIX, PolicyMap.DENY_CIDR4, PolicyMap.DENY_CIDR6, PolicyMap.WATCH_PREFIX);
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final PolicySlots slots;
    private final MapBatch second = new MapBatch();
    /** The second filling thread, started at the first large fill (readers that only check drift never start one). */
    private ExecutorService worker;
    private boolean twoThreads = twoCores();

    /**
     * What a fill wrote: entries; time inside the kernel's batch calls, CPU time, and wall time not on
     * a CPU (a fill makes no blocking call: waiting for a core, or for a GC pause), each summed over
     * the threads; and how long the two threads were writing at the same time (0 with one).
     */
    record Filled(int entries, long kernelNanos, long cpuNanos, long waitNanos, long overlapNanos) {
    }

    /** One thread's writing: from, to (System.nanoTime) and the CPU time it used. */
    private record Span(long start, long end, long cpu) {
        long waited() {
            return Math.max(0, end - start - cpu);
        }

        long overlap(Span o) {
            return Math.max(0, Math.min(end, o.end) - Math.max(start, o.start));
        }
    }

    /** A map's entries, or a part of them, to write into one slot. */
    record Part(PolicyMap map, List<MapEntry> entries) {
        /** The insert cost of one entry, in preallocated hash map inserts. */
        int unitCost() {
            return TRIES.contains(map) ? TRIE_COST : 1;
        }

        long cost() {
            return (long) entries.size() * unitCost();
        }
    }

    SlotFiller(PolicySlots slots) {
        this.slots = slots;
    }

    /** 1: the caller fills alone (keeps an apply on its core); 2: two threads when the host has two cores. */
    void threads(int n) {
        if (n != 1 && n != 2) {
            throw new IllegalArgumentException("policy fill threads: 1 or 2, not " + n);
        }
        twoThreads = n == 2 && twoCores();
    }

    private static boolean twoCores() {
        return Runtime.getRuntime().availableProcessors() >= 2;
    }

    Filled fill(int slot, CompiledPolicy policy) {
        List<Part> parts = new ArrayList<>();
        int total = 0;
        for (PolicyMap m : PolicyMap.values()) {
            List<MapEntry> e = policy.entries(m);
            if (!e.isEmpty()) {
                parts.add(new Part(m, e));
                total += e.size();
            }
        }
        long kernelBefore = slots.batch().nanos() + second.nanos();
        Span[] spans = total < PARALLEL_FROM || !twoThreads
                ? new Span[] {write(slot, parts, slots.batch())}
                : inHalves(slot, parts);
        long kernel = slots.batch().nanos() + second.nanos() - kernelBefore;
        long cpu = 0;
        long waited = 0;
        for (Span s : spans) {
            cpu += s.cpu();
            waited += s.waited();
        }
        return new Filled(total, kernel, cpu, waited, spans.length == 2 ? spans[0].overlap(spans[1]) : 0);
    }

    /** Writes the first half here and the second on the worker; waits for the worker even when this half fails. */
    private Span[] inHalves(int slot, List<Part> parts) {
        List<Part> first = new ArrayList<>();
        List<Part> rest = new ArrayList<>();
        split(parts, first, rest);
        Future<Span> other = worker().submit(() -> write(slot, rest, second));
        Span mine;
        try {
            mine = write(slot, first, slots.batch());
        } finally {
            awaitQuietly(other);
        }
        return new Span[] {mine, join(other)};
    }

    private ExecutorService worker() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "twinlane-policy-fill");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /** The entries, in map order, up to half the cost into {@code first}, the rest into {@code rest}; the map on the boundary is cut. */
    static void split(List<Part> parts, List<Part> first, List<Part> rest) {
        long half = parts.stream().mapToLong(Part::cost).sum() / 2;
        long taken = 0;
        for (Part p : parts) {
            int n = p.entries().size();
            int mine = (int) Math.max(0, Math.min(n, (half - taken) / p.unitCost()));
            if (mine > 0) {
                first.add(new Part(p.map(), p.entries().subList(0, mine)));
            }
            if (mine < n) {
                rest.add(new Part(p.map(), p.entries().subList(mine, n)));
            }
            taken += (long) mine * p.unitCost();
        }
    }

    private Span write(int slot, List<Part> parts, MapBatch using) {
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        for (Part p : parts) {
            slots.fill(slot, p.map(), p.entries(), using);
        }
        long cpu = CPU.getCurrentThreadCpuTime() - cpuStart;
        return new Span(start, System.nanoTime(), cpu);
    }

    private static void awaitQuietly(Future<Span> f) {
        boolean interrupted = false;
        while (!f.isDone()) {
            try {
                f.get();
            } catch (InterruptedException e) {
                interrupted = true;  // the worker must finish before the slot is touched again
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Span join(Future<Span> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while filling a policy slot");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IngestException("cannot fill a policy slot: " + e.getCause());
        }
    }
}
