package dev.twinlane.export;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Tails one chained log on a thread of its own and ships its durable records to Kafka.
 *
 * <ul>
 * <li>Reads with its own {@link ChainReader}: the log's writers never wait for it, whatever
 * the broker does; it ships nothing above the log's durable seq.</li>
 * <li>Idempotent producer, acks=all, at most 5 requests in flight, one key per log, so one
 * partition and the log's order. On the first failed send the callback closes the producer at
 * once (close(0) on the I/O thread), so nothing after a lost record can reach the topic ahead
 * of it; then the exporter backs off (exponential, capped, with jitter), opens a new producer
 * and resumes after the last acknowledged seq. Records after that seq may be sent twice: the
 * seq lets consumers drop them.</li>
 * <li>The cursor (last acknowledged seq) is persisted every 200 ms and at close, so a restart
 * resumes there.</li>
 * </ul>
 */
public abstract class LogExporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.export");
    private static final long IDLE_PARK_NANOS = 2_000_000;
    private static final long CURSOR_EVERY_NANOS = 200_000_000;

    protected final String name;
    protected final ChainedLog log;
    protected final ExportSettings settings;
    private final Cursor cursor;
    private final Thread thread;
    private volatile boolean running = true;
    /** Set by close(): ship what is durable now, then stop (bounded by closeTimeout). */
    private volatile long drainUntil;

    // Exporter thread only.
    private ChainReader reader;
    private Producer<byte[], byte[]> producer;
    private boolean topicsReady;
    private long readSeq;
    private long skipTo;
    private long savedCursor = -1;
    private long lastCursorSave;
    private long backoffNanos;
    private volatile String lastProblem;
    protected final byte[] prevMac = new byte[RecordFormat.MAC];
    protected Genesis genesis;
    protected byte[] genesisRecord;
    protected byte[] genesisMac;
    protected String host;
    protected byte[] hostKey;
    protected final String logId;

    // Shared with the producer's I/O thread.
    private final AtomicLong ackedSeq = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile int generation;
    private volatile Exception failure;
    private volatile boolean recovering;

    private final Counter sent;
    private final Counter acked;
    private final Counter failures;
    private final Counter dropped;

    protected LogExporter(String name, ChainedLog log, ExportSettings settings, MeterRegistry registry) {
        this.name = name;
        this.log = log;
        this.settings = settings;
        this.logId = log.logId();
        this.cursor = new Cursor(settings.cursorDir, name);
        long start = cursor.load(logId);
        ackedSeq.set(start);
        savedCursor = start;
        this.sent = Counter.builder("twinlane.export.records.sent").tag("log", name)
                .description("records handed to the Kafka producer (re-sends included)").register(registry);
        this.acked = Counter.builder("twinlane.export.records.acked").tag("log", name)
                .description("records the broker acknowledged (acks=all)").register(registry);
        this.failures = Counter.builder("twinlane.export.failures").tag("log", name)
                .description("send failures, each followed by a back-off and a resume from the cursor").register(registry);
        this.dropped = Counter.builder("twinlane.export.records.too_large").tag("log", name)
                .description("records larger than the topic accepts: kept in the log, not exported").register(registry);
        Gauge.builder("twinlane.export.lag.records", this, e -> Math.max(0, e.log.durableSeq() - e.ackedSeq.get()))
                .tag("log", name).description("durable records not yet acknowledged by Kafka").register(registry);
        Gauge.builder("twinlane.export.acked.seq", ackedSeq, AtomicLong::get).tag("log", name)
                .description("every record up to this seq is in Kafka").register(registry);
        Gauge.builder("twinlane.export.connected", this, e -> e.failure == null && !e.recovering ? 1 : 0)
                .tag("log", name).description("1 while sends succeed, 0 while backing off").register(registry);
        this.thread = new Thread(this::run, "twinlane-export-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts the exporter thread. */
    public LogExporter start() {
        thread.start();
        return this;
    }

    /** Every record up to this seq was acknowledged (or needs no message). */
    public long ackedSeq() {
        return ackedSeq.get();
    }

    /** Durable records not yet acknowledged. */
    public long lag() {
        return Math.max(0, log.durableSeq() - ackedSeq.get());
    }

    public String name() {
        return name;
    }

    /** Why sends fail, as logged (one line); null while Kafka acknowledges. */
    public String problem() {
        return lastProblem;
    }

    /**
     * Encodes and sends the record {@code rec[0..length)} (seq {@code seq}; {@code prevMac} is the
     * MAC before it); returns false when this log exports nothing for it.
     */
    protected abstract boolean ship(byte[] rec, int length, long seq, int kind);

    protected abstract String compression();

    /** Called on the exporter thread after each record and while idle, with a producer open. */
    protected void tick() throws Exception {
    }

    /** Called on the exporter thread after a (new) producer is opened. */
    protected void producerOpened() {
    }

    /** Called on the exporter thread when it stops. */
    protected void stopped() {
    }

    /** Topics to create when missing (called once per exporter, with an admin client). */
    protected abstract void createTopics(TopicMaker maker) throws Exception;

    /** Sends one message; {@code tracksCursor} for the message that stands for the record in the cursor. */
    protected final void send(String topic, byte[] key, byte[] value, long timestampMs, long seq, boolean tracksCursor) {
        int gen = generation;
        Producer<byte[], byte[]> p = producer;
        inFlight.incrementAndGet();
        Callback cb = (md, e) -> {
            if (gen != generation) {
                return; // a closed producer's leftovers; its count was reset
            }
            if (e instanceof RecordTooLargeException) {
                tooLarge(topic, seq, value.length);
                e = null; // never fits: retrying would stall the log's export for good
            }
            if (e != null) {
                if (failure == null) {
                    failure = e;
                    p.close(Duration.ZERO); // abort everything after the lost record, before it is sent
                }
            } else if (failure == null && tracksCursor) {
                ackedSeq.accumulateAndGet(seq, Math::max);
                acked.increment();
            }
            inFlight.decrementAndGet();
        };
        try {
            p.send(new ProducerRecord<>(topic, null, timestampMs, key, value), cb);
        } catch (RecordTooLargeException e) {
            inFlight.decrementAndGet();
            tooLarge(topic, seq, value.length);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
        if (tracksCursor) {
            sent.increment();
        }
    }

    private void tooLarge(String topic, long seq, int bytes) {
        dropped.increment();
        LOG.log(System.Logger.Level.ERROR, "export " + name + ": seq " + seq + " (" + bytes + " bytes) is larger than "
                + topic + " accepts (max.request.size / message.max.bytes); not exported, the log keeps it");
    }

    private void run() {
        backoffNanos = settings.retryBackoff.toNanos();
        while (running) {
            try {
                if (producer == null) {
                    open();
                }
                Exception f = failure;
                if (f != null) {
                    throw f;
                }
                if (drainUntil != 0 && System.nanoTime() - drainUntil > 0) {
                    break;
                }
                if (!reader.next()) {
                    if (drainUntil != 0) {
                        break; // everything durable at close() was sent
                    }
                    tick();
                    idle();
                    continue;
                }
                handle(reader.bytes(), reader.length());
                tick();
                if (recovering && ackedSeq.get() > skipTo) {
                    recovering = false;
                    backoffNanos = settings.retryBackoff.toNanos();
                    LOG.log(System.Logger.Level.INFO, "export " + name + ": Kafka acknowledges again; resumed after seq "
                            + skipTo);
                    lastProblem = null;
                }
            } catch (Exception e) {
                onFailure(e);
            } catch (Error e) {
                LOG.log(System.Logger.Level.ERROR, "export " + name + " stopped: " + e, e);
                throw e;
            }
        }
        finish();
    }

    private void open() throws Exception {
        generation++;
        failure = null;
        producer = new KafkaProducer<>(settings.producer("twinlane-" + name + "-" + generation, compression()));
        if (!topicsReady && settings.createTopics) {
            try (TopicMaker maker = new TopicMaker(settings)) {
                createTopics(maker);
            }
        }
        topicsReady = true;
        reader = log.reader();
        readSeq = 0;
        skipTo = ackedSeq.get();
        producerOpened();
    }

    private void handle(byte[] rec, int length) {
        long seq = RecordFormat.seq(rec, 0);
        int payloadLen = length - RecordFormat.OVERHEAD;
        if (payloadLen < 0 || !RecordFormat.wellFormed(rec, 0, length - RecordFormat.MAC)
                || (readSeq > 0 && seq != readSeq + 1)) {
            LOG.log(System.Logger.Level.WARNING, "export " + name + ": skipping a document that does not continue"
                    + " the log after seq " + readSeq + " (torn write discarded by recovery?)");
            return;
        }
        int kind = RecordFormat.kind(rec, 0);
        if (seq == 1 && kind == Kinds.GENESIS) {
            genesis = Genesis.decode(rec, RecordFormat.HEADER, payloadLen);
            if (genesis == null) {
                throw new IllegalStateException("log " + logId + ": seq 1 is not a readable GENESIS record");
            }
            genesisRecord = Arrays.copyOf(rec, length - RecordFormat.MAC);
            genesisMac = Arrays.copyOfRange(rec, length - RecordFormat.MAC, length);
            host = settings.hostId != null ? settings.hostId : genesis.hostId();
            hostKey = host.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(genesis.mac0(), 0, prevMac, 0, RecordFormat.MAC);
        }
        if (seq > skipTo) {
            if (host == null) {
                throw new IllegalStateException("log " + logId + " does not start with a GENESIS record");
            }
            ship(rec, length, seq, kind);
        }
        System.arraycopy(rec, length - RecordFormat.MAC, prevMac, 0, RecordFormat.MAC);
        readSeq = seq;
        if (inFlight.get() == 0 && failure == null) {
            ackedSeq.accumulateAndGet(seq, Math::max); // nothing outstanding: records needing no message count as done
        }
    }

    private void idle() {
        if (inFlight.get() == 0 && failure == null && readSeq > 0) {
            ackedSeq.accumulateAndGet(readSeq, Math::max);
        }
        saveCursor(false);
        LockSupport.parkNanos(IDLE_PARK_NANOS);
    }

    private void saveCursor(boolean force) {
        long now = System.nanoTime();
        long a = ackedSeq.get();
        if (a != savedCursor && (force || now - lastCursorSave >= CURSOR_EVERY_NANOS)) {
            try {
                cursor.save(logId, a);
                savedCursor = a;
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.WARNING, "export " + name + ": cannot write " + cursor.file() + ": " + e);
            }
            lastCursorSave = now;
        }
    }

    private void onFailure(Exception e) {
        failures.increment();
        if (drainUntil != 0) {
            running = false; // closing: no retries; the cursor says where to resume
        }
        recovering = true;
        Exception cause = failure != null ? failure : e; // not the closed producer's complaint about a later send
        String explained = settings.access.explain(cause, settings.bootstrapServers);
        String problem = explained != null ? explained : describe(cause);
        if (!problem.equals(lastProblem)) {
            LOG.log(System.Logger.Level.WARNING, "export " + name + " to " + settings.bootstrapServers + ": " + problem
                    + "; the log keeps being written, export resumes after seq " + ackedSeq.get()
                    + " when Kafka is back (retrying with back-off)");
            lastProblem = problem;
        }
        closeProducer(Duration.ZERO);
        saveCursor(true);
        long jitter = ThreadLocalRandom.current().nextLong(backoffNanos / 4 + 1);
        long until = System.nanoTime() + backoffNanos + jitter;
        while (running && System.nanoTime() < until) {
            LockSupport.parkNanos(Math.min(50_000_000L, until - System.nanoTime()));
        }
        backoffNanos = Math.min(backoffNanos * 2, settings.retryBackoffMax.toNanos());
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private void closeProducer(Duration timeout) {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        if (producer != null) {
            generation++; // callbacks of the old producer no longer count
            try {
                producer.close(timeout);
            } catch (RuntimeException ignored) {
                // closing anyway
            }
            producer = null;
        }
        inFlight.set(0);
    }

    /** On close: waits (bounded) for what was sent, then saves the cursor. */
    private void finish() {
        if (producer != null && failure == null) {
            try {
                producer.close(settings.closeTimeout); // callbacks of what completes in time still count
            } catch (RuntimeException e) {
                // the cursor stays where the acks got to
            }
            if (inFlight.get() == 0 && failure == null && readSeq > 0) {
                ackedSeq.accumulateAndGet(readSeq, Math::max);
            }
        }
        closeProducer(Duration.ZERO);
        saveCursor(true);
        stopped();
    }

    /**
     * Ships what is durable now (the log is synced first), waits for the acks, saves the cursor
     * and stops; all bounded by closeTimeout, and at once while Kafka is unreachable.
     */
    @Override
    public void close() {
        try {
            log.syncNow();
        } catch (RuntimeException e) {
            // a log that cannot sync: ship what was durable already
        }
        drainUntil = System.nanoTime() + settings.closeTimeout.toNanos();
        if (drainUntil == 0) {
            drainUntil = 1;
        }
        if (recovering || failure != null) {
            running = false;
        }
        try {
            thread.join(settings.closeTimeout.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
