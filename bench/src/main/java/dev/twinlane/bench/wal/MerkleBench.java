package dev.twinlane.bench.wal;

import dev.twinlane.wal.ChainAppender;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.proof.ConsistencyProof;
import dev.twinlane.wal.proof.InclusionProof;
import dev.twinlane.wal.proof.LeavesFile;
import dev.twinlane.wal.proof.ProofGenerator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The Merkle tree's cost (issue 17), printed, nothing typed by hand:
 * <ol>
 * <li>sustained chained appends of 256-byte records on one thread for {@code ROUND} seconds,
 * into a fresh security log with the tree and one without, alternating, {@code ROUNDS} times
 * each in the same JVM; the median rates and their ratio (target ≥ 0.9), the wal-merkle
 * thread's CPU per record, and how far its checkpoints trailed the appends;</li>
 * <li>proofs at 10 M leaves: a synthetic DIR/merkle.leaves of {@code LEAVES} leaf hashes
 * (random bytes: the tree does not care what they hash), the time ProofGenerator takes to open
 * it (one pass over every leaf), then inclusion and consistency proofs for random sizes, and
 * their verification.</li>
 * </ol>
 * Run: java $(chronicle.jvm.args) -cp "bench/target/twinlane-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
 * dev.twinlane.bench.wal.MerkleBench [rounds] [seconds per round] [leaves]
 */
public final class MerkleBench {
    private MerkleBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long leaves = args.length > 2 ? Long.parseLong(args[2]) : 10_000_000L;
        sustained(rounds, seconds);
        proofs(leaves);
    }

    private static void sustained(int rounds, int seconds) throws Exception {
        byte[] payload = new byte[256];
        new Random(17).nextBytes(payload);
        round(false, 2, payload); // warm-up, both paths
        round(true, 2, payload);
        double[] with = new double[rounds];
        double[] without = new double[rounds];
        double[] cpuPerRecord = new double[rounds];
        double[] ratios = new double[rounds];
        long[] behind = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            Result a = round(r % 2 == 0, seconds, payload);
            Result b = round(r % 2 != 0, seconds, payload);
            Result t = a.tree ? a : b;
            Result n = a.tree ? b : a;
            with[r] = t.rate;
            without[r] = n.rate;
            cpuPerRecord[r] = t.merkleCpuNanos / (double) t.records;
            behind[r] = t.behind;
            ratios[r] = t.rate / n.rate;
            System.out.printf(Locale.ROOT, "round %d: with tree %,.0f records/s, without %,.0f records/s (ratio %.3f);"
                    + " wal-merkle CPU %.0f ns/record; at the end of appending its last checkpoint trailed by %,d records%n",
                    r + 1, t.rate, n.rate, t.rate / n.rate, cpuPerRecord[r], t.behind);
        }
        double mw = median(with);
        double mn = median(without);
        System.out.printf(Locale.ROOT, "sustained 256-byte chained appends, median of %d rounds of %d s: with tree %,.0f records/s,"
                + " without %,.0f records/s, ratio of medians %.3f, median of the rounds' ratios %.3f (target >= 0.9);"
                + " wal-merkle thread CPU while appending median %.0f ns/record; load average %.2f on %d CPUs%n",
                rounds, seconds, mw, mn, mw / mn, median(ratios), median(cpuPerRecord),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
    }

    private static final class Result {
        boolean tree;
        double rate;
        long records;
        long merkleCpuNanos;
        long behind;
    }

    private static Result round(boolean tree, int seconds, byte[] payload) throws Exception {
        Path dir = BenchLog.scratch("wal-merkle-");
        Result res = new Result();
        res.tree = tree;
        try {
            ChainedLog log = BenchLog.security(dir).merkleTree(tree).build();
            ChainAppender app = log.appender();
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long n = 0;
            long now;
            do {
                for (int i = 0; i < 1000; i++) {
                    app.append(1, payload, 0, payload.length);
                }
                n += 1000;
                now = System.nanoTime();
            } while (now < end);
            res.rate = n / ((now - start) / 1e9);
            res.records = n;
            if (tree) {
                res.merkleCpuNanos = threadCpu("wal-merkle-security");
                res.behind = log.appendedSeq() - (log.checkpoint() == null ? 0 : log.checkpoint().size());
            }
            log.close();
        } finally {
            BenchLog.delete(dir);
        }
        return res;
    }

    private static long threadCpu(String name) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return mx.getThreadCpuTime(t.getId());
            }
        }
        return -1;
    }

    private static void proofs(long leaves) throws Exception {
        Path dir = BenchLog.scratch("wal-proofs-");
        try {
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(dir.resolve(LeavesFile.NAME), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(LeavesFile.header(new byte[16])));
                SplittableRandom rnd = new SplittableRandom(6962);
                ByteBuffer b = ByteBuffer.allocate(1 << 20);
                for (long done = 0; done < leaves; ) {
                    b.clear();
                    int k = (int) Math.min(b.capacity() / 32, leaves - done);
                    for (int i = 0; i < k * 4; i++) {
                        b.putLong(rnd.nextLong());
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    done += k;
                }
            }
            System.out.printf(Locale.ROOT, "proofs: synthetic leaves file of %,d leaves (%,d MB) written in %.1f s%n",
                    leaves, Files.size(dir.resolve(LeavesFile.NAME)) >> 20, (System.nanoTime() - t0) / 1e9);
            long o0 = System.nanoTime();
            try (ProofGenerator g = ProofGenerator.open(dir)) {
                double openS = (System.nanoTime() - o0) / 1e9;
                long n = g.size();
                byte[] root = g.root(n);
                SplittableRandom rnd = new SplittableRandom(9162);
                int count = 1000;
                long[] inc = new long[count];
                long[] con = new long[count];
                long verifyNs = 0;
                for (int i = 0; i < count; i++) {
                    long seq = 1 + rnd.nextLong(n);
                    long a = System.nanoTime();
                    InclusionProof p = g.inclusion(seq, n);
                    inc[i] = System.nanoTime() - a;
                    long v = System.nanoTime();
                    if (!p.verify(g.leafHash(seq - 1), root)) {
                        throw new AssertionError("inclusion proof of seq " + seq + " does not verify");
                    }
                    verifyNs += System.nanoTime() - v;
                }
                for (int i = 0; i < count; i++) {
                    long m = 1 + rnd.nextLong(n - 1);
                    long a = System.nanoTime();
                    ConsistencyProof p = g.consistency(m, n);
                    con[i] = System.nanoTime() - a;
                    byte[] old = g.root(m);
                    if (!p.verify(old, root)) {
                        throw new AssertionError("consistency proof from " + m + " does not verify");
                    }
                }
                System.out.printf(Locale.ROOT, "proofs at %,d leaves: ProofGenerator.open %.2f s (one pass over every leaf);"
                        + " inclusion proof median %.1f us, p99 %.1f us, max %.1f us; consistency proof (random old size)"
                        + " median %.1f us, p99 %.1f us, max %.1f us; inclusion verify mean %.1f us (%d of each, all verified)%n",
                        n, openS, pct(inc, 50), pct(inc, 99), pct(inc, 100), pct(con, 50), pct(con, 99), pct(con, 100),
                        verifyNs / 1e3 / count, count);
            }
        } finally {
            BenchLog.delete(dir);
        }
    }

    private static double pct(long[] ns, int p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        int i = Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1);
        return s[Math.max(0, i)] / 1e3;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
