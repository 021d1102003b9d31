package dev.twinlane.bench.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.twinlane.wal.ChainAppender;
import dev.twinlane.wal.ChainedLog;

/**
 * Sustained chained appends of the security log, one thread, 100 ms group commit (the
 * default), over iterations long enough for many group commits and key epochs; records/s.
 * At the end of the trial it prints how far durability trailed the appends.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WalSustainedBenchmark {
    @Param({"256"})
    int size;

    private Path dir;
    private ChainedLog log;
    private ChainAppender appender;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchLog.scratch("wal-sustained-");
        log = BenchLog.security(dir).build();
        appender = log.appender();
        payload = new byte[size];
        new Random(2).nextBytes(payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        long appended = log.appendedSeq();
        long durable = log.durableSeq();
        System.out.println("sustained: appended " + appended + ", durable " + durable + " before close");
        log.close();
        BenchLog.delete(dir);
    }

    @Benchmark
    public long sustained() {
        return appender.append(1, payload, 0, size);
    }
}
