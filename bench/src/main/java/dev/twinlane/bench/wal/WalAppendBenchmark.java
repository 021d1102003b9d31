package dev.twinlane.bench.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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
import dev.twinlane.wal.HmacSha256Probe;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * One record of {@code size} payload bytes, five ways, in the same run:
 * <ul>
 * <li>chained: {@link ChainAppender#append} of the security log (100 ms group commit running,
 *     seals, key evolution, metrics: everything the agent pays per record);</li>
 * <li>rawChronicle: a Chronicle Queue document of the same length (size + 72), no MAC;</li>
 * <li>macJdk / macOwn: HMAC-SHA256 over what the chain MACs (32 + 40 + size bytes) with
 *     javax.crypto.Mac and with the log's allocation-free HmacSha256;</li>
 * <li>fileChannelHmac: the MAC plus a plain FileChannel write of the record (no fsync).</li>
 * </ul>
 * SampleTime gives p50/p99/p99.9 per record; Throughput gives records per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2) // long enough to pass key evolutions, seals and space reservations once
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WalAppendBenchmark {
    @Param({"128", "256", "1024"})
    int size;

    private Path dir;
    private ChainedLog log;
    private ChainAppender appender;
    private SingleChronicleQueue raw;
    private ExcerptAppender rawAppender;
    private FileChannel channel;
    private final ByteBuffer channelBuf = ByteBuffer.allocateDirect(64 * 1024);
    private final Mac jdkMac;
    private final HmacSha256Probe ownMac = new HmacSha256Probe();
    private final byte[] prev = new byte[32];
    private final byte[] header = new byte[40];
    private final byte[] out = new byte[32];
    private byte[] payload;
    private byte[] rawDoc;

    public WalAppendBenchmark() {
        try {
            jdkMac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchLog.scratch("wal-append-");
        log = BenchLog.security(dir).build();
        appender = log.appender();
        raw = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).rollCycle(RollCycles.FAST_DAILY).build();
        rawAppender = raw.createAppender();
        channel = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        Random rnd = new Random(1);
        payload = new byte[size];
        rawDoc = new byte[size + 72];
        rnd.nextBytes(payload);
        rnd.nextBytes(rawDoc);
        rnd.nextBytes(header);
        byte[] key = new byte[32];
        rnd.nextBytes(key);
        jdkMac.init(new SecretKeySpec(key, "HmacSHA256"));
        ownMac.init(key);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        rawAppender.close();
        raw.close();
        channel.close();
        BenchLog.delete(dir);
    }

    @Benchmark
    public long chained() {
        return appender.append(1, payload, 0, size);
    }

    @Benchmark
    public long rawChronicle() {
        try (DocumentContext dc = rawAppender.writingDocument()) {
            dc.wire().bytes().write(rawDoc, 0, rawDoc.length);
        }
        return rawAppender.lastIndexAppended();
    }

    @Benchmark
    public byte[] macJdk() throws GeneralSecurityException {
        jdkMac.update(prev);
        jdkMac.update(header);
        jdkMac.update(payload, 0, size);
        jdkMac.doFinal(out, 0);
        return out;
    }

    @Benchmark
    public byte[] macOwn() {
        return ownMac.chain(prev, header, payload, size, out);
    }

    @Benchmark
    public int fileChannelHmac() throws IOException {
        macOwn();
        channelBuf.clear();
        channelBuf.put(header).put(payload, 0, size).put(out).flip();
        return channel.write(channelBuf);
    }
}
