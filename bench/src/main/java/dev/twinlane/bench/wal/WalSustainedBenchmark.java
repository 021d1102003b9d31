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
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Sustained chained appends of the security log, one thread, 100 ms group commit (the
 * default), over iterations long enough for many group commits and key epochs; records/s.
 * rawSustained appends documents of the same length to a plain Chronicle queue (no MAC, no
 * sync): what this machine's page cache and disk allow. At the end of a trial it prints how
 * far durability trailed the appends.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WalSustainedBenchmark {
    @Param({"256"})
    int size;

    private Path dir;
    private ChainedLog log;
    private ChainAppender appender;
    private byte[] payload;
    private byte[] rawDoc;
    private SingleChronicleQueue raw;
    private ExcerptAppender rawAppender;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchLog.scratch("wal-sustained-");
        log = BenchLog.security(dir).build();
        appender = log.appender();
        payload = new byte[size];
        new Random(2).nextBytes(payload);
        rawDoc = new byte[size + 72];
        raw = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).rollCycle(RollCycles.FAST_DAILY).build();
        rawAppender = raw.createAppender();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        long appended = log.appendedSeq();
        long durable = log.durableSeq();
        System.out.println("sustained: appended " + appended + ", durable " + durable + " before close");
        log.close();
        rawAppender.close();
        raw.close();
        BenchLog.delete(dir);
    }

    @Benchmark
    public long sustained() {
        return appender.append(1, payload, 0, size);
    }

    @Benchmark
    public long rawSustained() {
        try (DocumentContext dc = rawAppender.writingDocument()) {
            dc.wire().bytes().write(rawDoc, 0, rawDoc.length);
        }
        return rawAppender.lastIndexAppended();
    }
}
