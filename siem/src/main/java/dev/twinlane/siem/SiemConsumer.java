package dev.twinlane.siem;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.twinlane.records.LossSource;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.NewLog;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;
import dev.twinlane.wire.CheckpointMessage;
import dev.twinlane.wire.DetectionFinding;
import dev.twinlane.wire.JsonOut;
import dev.twinlane.wire.KafkaAccess;
import dev.twinlane.wire.Ocsf;
import dev.twinlane.wire.SealMessage;
import dev.twinlane.wire.SecurityMessage;
import dev.twinlane.wire.Topics;

/**
 * The SIEM side: consumes the security and seals topics in a consumer group, re-verifies each
 * host's chain ({@link ChainCheck}), drops duplicates by seq, and writes one OCSF JSON line per
 * verified kernel event and one OCSF Detection Finding per problem (gap, tampering, kernel-side
 * loss). Offsets are committed after the lines of a poll are written and flushed.
 */
public final class SiemConsumer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.siem");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern LOG_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");
    /** With an idle timeout: how long to wait for the first message at least (group join, a slow broker). */
    private static final long FIRST_MESSAGE_GRACE_NANOS = Duration.ofSeconds(30).toNanos();
    private static final int SPILL_AT = 1 << 18;
    private static final byte[] NEWLINE = {'\n'};
    private static final byte[] FIRST_VERIFICATION = "\"verification\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEXT_VERIFICATION = ",\"verification\":".getBytes(StandardCharsets.US_ASCII);

    /** Settings of one consumer. */
    public static final class Options {
        public String bootstrap;
        public String group = "twinlane-siem";
        public String securityTopic = Topics.SECURITY;
        public String sealsTopic = Topics.SEALS;
        public List<Path> keyFiles = new ArrayList<>();
        public Path sealPublicKey;
        /** The witness's state file (the checkpoints accepted, per log); null: kept in memory only. */
        public Path witnessState;
        /** Stop after this long without any message, 30 s at least before the first (null: run until stopped). */
        public Duration idleExit;
        /** TLS and SCRAM; the password file is read again for each new connection. */
        public final KafkaAccess access = new KafkaAccess();
        public final Map<String, String> client = new LinkedHashMap<>();
        /** First wait after a refused login or handshake, doubling up to {@link #retryBackoffMax}. */
        public Duration retryBackoff = Duration.ofSeconds(1);
        public Duration retryBackoffMax = Duration.ofSeconds(10);
    }

    /** What happened, for the summary line and tests. */
    public static final class Stats {
        public final AtomicLong messages = new AtomicLong();
        public final AtomicLong events = new AtomicLong();
        public final AtomicLong duplicates = new AtomicLong();
        public final Map<String, Long> alerts = new TreeMap<>();
        public final AtomicLong seals = new AtomicLong();
        public final AtomicLong checkpoints = new AtomicLong();
        /** Connections Kafka refused (login or TLS), each followed by a back-off and a new consumer. */
        public final AtomicLong refused = new AtomicLong();
        /** Time the consumer waited for its offset commits: the synchronous ones, at a rebalance and at the end (Commits). */
        public final AtomicLong commitNanos = new AtomicLong();
        /** The line that said why, while refused; null once consuming again. */
        public volatile String problem;

        synchronized void alert(String failure) {
            alerts.merge(failure, 1L, Long::sum);
        }

        public synchronized long alerts(String failure) {
            return alerts.getOrDefault(failure, 0L);
        }

        @Override
        public synchronized String toString() {
            return messages + " messages, " + events + " verified events, " + duplicates + " duplicates dropped, "
                    + seals + " seals, " + checkpoints + " checkpoints accepted, alerts " + alerts;
        }
    }

    private final Options options;
    /** Where the lines go: one of the two. */
    private final OutputStream bytesOut;
    private final Writer charsOut;
    /**
     * The lines not yet handed on: gathered as bytes and written in large pieces, since a write
     * (and a String) per line, re-encoded by a Writer, was a fifth of the consumer's time.
     */
    private final JsonOut lines = new JsonOut(SPILL_AT + 8192);
    private final KeyRing keys;
    private final byte[] sealPub;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private boolean primed;
    private long lastMessage;
    private final Map<String, ChainCheck> logs = new HashMap<>();
    private final Stats stats = new Stats();
    private final JsonOut render = new JsonOut(4096);
    private final JsonOut verification = new JsonOut(256);
    private final ShippedMessage shipped = new ShippedMessage(JSON.getFactory());
    private final LastText lastKey = new LastText();
    private int lastKeyId;
    private String keyIdHex;
    private final DetectionFinding findings = new DetectionFinding();
    private final Witness witness;
    private final Commits commits = new Commits(stats.commitNanos);
    private volatile boolean running = true;

    public SiemConsumer(Options o, Writer out) throws IOException {
        this(o, null, out);
    }

    /** Lines as UTF-8 to {@code out}, in writes of up to 256 KB: it needs no buffer of its own. */
    public SiemConsumer(Options o, OutputStream out) throws IOException {
        this(o, out, null);
    }

    private SiemConsumer(Options o, OutputStream bytesOut, Writer charsOut) throws IOException {
        if (o.bootstrap == null) {
            throw new IllegalArgumentException("--bootstrap HOST:PORT is required");
        }
        this.options = o;
        this.bytesOut = bytesOut;
        this.charsOut = charsOut;
        this.keys = o.keyFiles.isEmpty() ? null : KeyRing.load(o.keyFiles.toArray(new Path[0]));
        this.sealPub = o.sealPublicKey == null ? null : SealKey.loadPublic(o.sealPublicKey);
        this.witness = new Witness(o.witnessState);
    }

    private Properties props(boolean group) throws IOException {
        Properties p = new Properties();
        fetchSettings(p);
        p.putAll(options.client);
        p.putAll(options.access.properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap);
        if (group) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // the exporter creates them (seals compacted)
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /**
     * Polls of up to 2000 records, fetches of Kafka's default 1 MB a partition: a poll's records
     * and the fetched bytes behind them stay reachable until the poll is handled, and at 10 000
     * records and 8 MB a partition they outgrew the young generation's survivor space at each
     * collection, were promoted and made one old-generation collection in six young ones (GC
     * pauses 1.06 s of a 1 M-record bench run, 0.19 s at 2000 and 1 MB). With commits no longer
     * waited for per poll, smaller polls cost nothing more. A socket buffer as large as
     * ConsumerPerformance's (2 MB; the default 64 KB holds 30 messages of 2 KB), so that the next
     * fetch's response arrives while a poll's records are verified. The client settings given
     * override these.
     */
    private static void fetchSettings(Properties p) {
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(2 << 20));
    }

    public Stats stats() {
        return stats;
    }

    /**
     * Consumes until {@link #stop} or the idle timeout; returns the stats. A refused login or TLS
     * handshake is one line (again only when the reason changes), then a back-off and a new
     * consumer, which reads the password file again and resumes from the committed offsets.
     */
    public Stats run() throws IOException {
        lastMessage = System.nanoTime();
        long backoff = options.retryBackoff.toNanos();
        try {
            while (running) {
                try {
                    if (consumer == null) {
                        connect();
                    }
                    if (!pollOnce()) {
                        break;
                    }
                    if (stats.problem != null) {
                        LOG.log(System.Logger.Level.WARNING, "siem: Kafka " + options.bootstrap + " accepts us again; consuming");
                        stats.problem = null;
                    }
                    backoff = options.retryBackoff.toNanos();
                } catch (AuthenticationException e) {
                    refused(e);
                    if (options.idleExit != null && System.nanoTime() - lastMessage > Math.max(options.idleExit.toNanos(),
                            FIRST_MESSAGE_GRACE_NANOS)) {
                        break;
                    }
                    long until = System.nanoTime() + backoff;
                    while (running && System.nanoTime() < until) { // stop() ends the wait within 50 ms
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(50_000_000L, until - System.nanoTime()));
                    }
                    backoff = Math.min(backoff * 2, options.retryBackoffMax.toNanos());
                }
            }
            if (consumer != null) { // a normal end: every record polled was handled
                drain();
                commits.last();
            }
        } finally {
            drain();
        }
        return stats;
    }

    private void connect() throws IOException {
        consumer = new KafkaConsumer<>(props(true));
        if (!primed) {
            primeSeals();
            primed = true;
        }
        commits.attach(consumer);
        consumer.subscribe(List.of(options.securityTopic, options.sealsTopic), commits);
    }

    private void refused(AuthenticationException e) {
        stats.refused.incrementAndGet();
        String explained = options.access.explain(e, options.bootstrap);
        String line = explained != null ? explained : e.toString();
        if (!line.equals(stats.problem)) {
            LOG.log(System.Logger.Level.ERROR, "siem: " + line + "; nothing is consumed meanwhile, retrying with back-off");
            stats.problem = line;
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            c.close(Duration.ZERO);
        }
    }

    /** One poll, its lines written and its offsets committed; false once idle for idleExit or stopped. */
    private boolean pollOnce() throws IOException {
        ConsumerRecords<byte[], byte[]> batch;
        try {
            batch = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
            return false;
        }
        if (batch.isEmpty()) {
            long idle = options.idleExit == null ? Long.MAX_VALUE : stats.messages.get() > 0
                    ? options.idleExit.toNanos() : Math.max(options.idleExit.toNanos(), FIRST_MESSAGE_GRACE_NANOS);
            if (System.nanoTime() - lastMessage > idle) {
                endOfStream();
                return false;
            }
            return true;
        }
        lastMessage = System.nanoTime();
        for (TopicPartition tp : batch.partitions()) { // the order the batch's iterator has, without its iterator per record
            for (ConsumerRecord<byte[], byte[]> r : batch.records(tp)) {
                handle(r);
            }
        }
        drain();
        commits.written();
        return true;
    }

    /** One message of either topic, whatever its bytes: events, alerts, or nothing (package-private for SiemFuzzTest). */
    void handle(ConsumerRecord<byte[], byte[]> r) throws IOException {
        stats.messages.incrementAndGet();
        if (r.topic().equals(options.sealsTopic)) {
            seal(r);
        } else {
            security(r);
        }
    }

    /** Reads the compacted seals topic from its start: every log's identity and latest seal. */
    private void primeSeals() throws IOException {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props(false))) {
            List<PartitionInfo> parts = c.partitionsFor(options.sealsTopic, Duration.ofSeconds(10));
            if (parts == null || parts.isEmpty()) {
                return;
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : parts) {
                tps.add(new TopicPartition(pi.topic(), pi.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : tps) {
                    done &= c.position(tp, Duration.ofSeconds(10)) >= end.get(tp);
                }
                if (done) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (!isCheckpoint(r)) {
                        seal(r); // checkpoints are judged by the group member their partition is assigned to
                    }
                }
            }
        } catch (AuthenticationException e) {
            throw e; // run() reports it and connects again
        } catch (RuntimeException e) {
            String explained = options.access.explain(e, options.bootstrap);
            LOG.log(System.Logger.Level.WARNING, "siem: could not read " + options.sealsTopic + " from its start: "
                    + (explained != null ? explained : e));
        }
    }

    /** Checkpoint messages are keyed by their log, seals by host (wire-format's CheckpointMessage). */
    private static boolean isCheckpoint(ConsumerRecord<byte[], byte[]> r) {
        return key(r).startsWith(CheckpointMessage.KEY_PREFIX);
    }

    private void seal(ConsumerRecord<byte[], byte[]> r) {
        JsonNode v;
        try {
            v = JSON.readTree(r.value());
        } catch (IOException | RuntimeException e) {
            alert(key(r), null, -1, "unreadable", "a seals-topic message is not JSON", r);
            return;
        }
        if (v != null && CheckpointMessage.SCHEMA.equals(v.path("schema").asText())) {
            checkpoint(v, r);
            return;
        }
        if (v == null || !SealMessage.SCHEMA.equals(v.path("schema").asText())) {
            alert(key(r), null, -1, "unreadable", "a seals-topic message is not a twinlane seal", r);
            return;
        }
        String logId = v.path("log_id").asText();
        String host = v.path("host").asText(key(r));
        try {
            ChainCheck c = log(logId, host);
            Findings f = new Findings(c, r);
            JsonNode g = v.path("genesis");
            if (g.has("record") && g.has("mac")) {
                c.learnGenesis(Base64.getDecoder().decode(g.get("record").asText()), hex(g.get("mac").asText(), 32), f);
            }
            JsonNode s = v.path("seal");
            if (s.isObject()) {
                stats.seals.incrementAndGet();
                c.offerSeal(Seal.of(s.path("seq").asLong(), hex(s.path("mac").asText(), 32),
                        s.path("time_ns").asLong(), c.logIdBytes, hex(s.path("signature").asText(), 64)), f);
            }
        } catch (IllegalArgumentException e) {
            alert(host, logId, -1, "unreadable", "a seals-topic message has a malformed field: " + e.getMessage(), r);
        }
    }

    /** A log's signed checkpoint: the witness accepts it or a Detection Finding says why not. */
    private void checkpoint(JsonNode v, ConsumerRecord<byte[], byte[]> r) {
        String logId = v.path("log_id").asText();
        String host = v.path("host").asText(key(r));
        if (witness.seen(logId, r.partition(), r.offset())) {
            return;
        }
        try {
            ChainCheck c = log(logId, host);
            byte[] key = c.publicKey();
            if (key == null) {
                LOG.log(System.Logger.Level.WARNING, "siem: checkpoint of log " + logId + " skipped: its seal key is not"
                        + " known yet (no GENESIS seen, no --seal-key)");
                return;
            }
            Map<Long, List<byte[]>> proofs = new HashMap<>();
            for (JsonNode p : v.path("proofs")) {
                List<byte[]> hashes = new ArrayList<>();
                for (JsonNode h : p.path("hashes")) {
                    hashes.add(Base64.getDecoder().decode(h.asText()));
                }
                proofs.put(p.path("old_size").asLong(), hashes);
            }
            Witness.Refusal no = witness.offer(host, logId, key, v.path("note").asText(), proofs, r.partition(), r.offset());
            if (no == null) {
                stats.checkpoints.incrementAndGet();
            } else {
                alert(host, logId, -1, no.failure(), no.detail(), r);
            }
        } catch (IllegalArgumentException e) {
            alert(host, logId, -1, "unreadable", "a checkpoint message has a malformed field: " + e.getMessage(), r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the witness state " + options.witnessState, e);
        }
    }

    private void security(ConsumerRecord<byte[], byte[]> r) throws IOException {
        security(r, true);
    }

    /**
     * {@code plainFirst}: read the exporter's plain form without a parser ({@link ShippedMessage#guessed});
     * whatever that read leads to short of an event equal to the rendering, the message is read again
     * as a parser reads it and decided on that.
     */
    private void security(ConsumerRecord<byte[], byte[]> r, boolean plainFirst) throws IOException {
        String key = r.key() == null ? "" : lastKey.of(r.key(), 0, r.key().length);
        ShippedMessage m = shipped;
        try {
            m.read(r.value(), plainFirst);
        } catch (IOException | RuntimeException e) {
            alert(key, null, -1, "unreadable", "a security-topic message is not JSON", r);
            return;
        }
        if (!SecurityMessage.SCHEMA.equals(m.schema)) {
            if (readAgain(m, r)) {
                return;
            }
            alert(key, null, -1, "unreadable", notJson(m, r) ? "a security-topic message is not JSON"
                    : "a security-topic message is not " + SecurityMessage.SCHEMA, r);
            return;
        }
        String logId = m.logId;
        String host = m.host;
        long seq = m.seq(-1);
        byte[] record;
        byte[] prev;
        byte[] mac;
        ChainCheck c;
        try {
            record = m.record(r.value());
            prev = m.prevMac(r.value());
            mac = m.mac(r.value());
            if (!logs.containsKey(logId)) {
                checkLogId(logId);
            }
        } catch (IllegalArgumentException e) {
            if (readAgain(m, r)) {
                return;
            }
            if (notJson(m, r)) {
                alert(key, null, -1, "unreadable", "a security-topic message is not JSON", r);
            } else {
                alert(host.isEmpty() ? key : host, logId, seq, "unreadable", "malformed field: " + e.getMessage(), r);
            }
            return;
        }
        JsonOut o = render.reset();
        boolean sameBytes = renderAndCompare(o, m, record, host, logId, r.value());
        if (!sameBytes && readAgain(m, r)) {
            return;
        }
        if (!sameBytes && notJson(m, r)) {
            alert(key, null, -1, "unreadable", "a security-topic message is not JSON", r);
            return;
        }
        c = log(logId, host);
        Findings f = new Findings(c, r);
        if (!RecordFormat.wellFormed(record, 0, record.length)) {
            f.alert("modified", seq, "the shipped record is not a whole twinlane-wal record");
            return;
        }
        int kind = RecordFormat.kind(record, 0);
        String mismatch = fieldsAgree(m, record, host, key, c);
        if (mismatch != null) {
            f.alert("modified", seq, mismatch);
            return;
        }
        if (!sameBytes && !sameJson(r.value(), kind <= Kinds.MAX_APP_KIND ? "event" : "wal", o)) {
            // the record itself may still be genuine: the chain decides, and the output is rendered from it
            f.alert("modified", seq, kind <= Kinds.MAX_APP_KIND ? "the message's event does not match its record"
                    : "the message's wal fields do not match its record");
        }
        ChainCheck.Verdict verdict = c.offer(record, prev, mac, f);
        if (verdict == ChainCheck.Verdict.DUPLICATE) {
            stats.duplicates.incrementAndGet();
            return;
        }
        if (verdict != ChainCheck.Verdict.ACCEPTED) {
            return;
        }
        if (kind <= Kinds.MAX_APP_KIND) {
            event(o, c, RecordFormat.seq(record, 0));
        } else if (kind == Kinds.GAP && record.length == RecordFormat.HEADER + 32) {
            long lost = RecordFormat.getLong(record, RecordFormat.HEADER);
            int ring = RecordFormat.getInt(record, RecordFormat.HEADER + 8);
            if (ring == LossSource.SECURITY_LANE) {
                f.alert("lane-drop", RecordFormat.seq(record, 0), lost + " event(s) read from the kernel were lost in the"
                        + " agent's security lane before they reached the log (a GAP record of the "
                        + LossSource.describe(ring) + ")");
            } else {
                f.alert("kernel-drop", RecordFormat.seq(record, 0), lost + " kernel event(s) lost on ring " + ring
                        + " before they reached the log (a GAP record)");
            }
        } else if (kind == Kinds.RECOVERY) {
            f.alert("recovery", RecordFormat.seq(record, 0), recoveryDetail(record));
        } else if (kind == Kinds.NEW_LOG) {
            NewLog n = NewLog.decode(record, RecordFormat.HEADER, record.length - RecordFormat.HEADER);
            f.alert("new-log", RecordFormat.seq(record, 0), n == null ? "a NEW_LOG record that does not decode"
                    : "the agent started this log in place of log " + n.previousLogIdHex() + " (" + n.causeName()
                    + ", its last good seq " + n.previousLastSeq() + (n.firstBadSeq() > 0 ? ", first bad seq " + n.firstBadSeq() : "")
                    + "); reason given: " + n.reason() + "; found: " + n.problem());
        }
    }

    /** After a plain read whose guess is not proven: the message decided as a parser reads it (then true). */
    private boolean readAgain(ShippedMessage m, ConsumerRecord<byte[], byte[]> r) throws IOException {
        if (!m.guessed()) {
            return false;
        }
        security(r, false);
        return true;
    }

    /** What a RECOVERY record says, in a line. */
    private static String recoveryDetail(byte[] record) {
        int len = record.length - RecordFormat.HEADER;
        int off = RecordFormat.HEADER;
        StringBuilder sb = new StringBuilder("the agent restarted after an unclean stop (RECOVERY record)");
        if (len == Kinds.RECOVERY_LENGTH) {
            int flags = RecordFormat.getInt(record, off + 68);
            sb.append(": continued after seq ").append(RecordFormat.getLong(record, off + 52))
                    .append(", seq ").append(RecordFormat.getLong(record, off + 60)).append(" was recorded durable before")
                    .append((flags & Kinds.RECOVERY_NEW_BOOT) != 0 ? "; the machine had restarted" : "")
                    .append((flags & Kinds.RECOVERY_NO_IDENTITY) != 0 ? "; the writer had no identity file for the log" : "");
        }
        if (len == Kinds.RECOVERY_LENGTH || len == Kinds.RECOVERY_V1_LENGTH) {
            int torn = RecordFormat.getInt(record, off);
            long zeroed = RecordFormat.getLong(record, off + 44);
            sb.append(torn > 0 ? "; " + torn + " torn document(s) excluded" : "")
                    .append(zeroed > 0 ? "; a torn partial write of " + zeroed + " bytes discarded" : "");
        }
        return sb.append("; nothing durable was lost").toString();
    }

    /** Null when the message's plain fields say what its record says. */
    private String fieldsAgree(ShippedMessage m, byte[] rec, String host, String key, ChainCheck c) {
        if (m.seq(0) != RecordFormat.seq(rec, 0) || m.kind() != RecordFormat.kind(rec, 0)
                || m.epoch() != RecordFormat.epoch(rec, 0)
                || !keyIdHex(RecordFormat.keyId(rec, 0)).equals(m.keyId)
                || m.timeNs() != RecordFormat.wallNanos(rec, 0)
                || m.monoNs() != RecordFormat.monoNanos(rec, 0)
                || m.hasLeafIndex() && m.leafIndex() != RecordFormat.seq(rec, 0) - 1
                || m.hasTreeSize() && m.treeSize() < RecordFormat.seq(rec, 0)) {
            return "the message's fields disagree with its record";
        }
        if (!host.equals(key)) {
            return "the message's host '" + host + "' is not its key '" + key + "'";
        }
        if (c.host != null && !c.host.equals(host)) {
            return "log " + c.logId + " belongs to host '" + c.host + "', not '" + host + "'";
        }
        return null;
    }

    /**
     * Renders what the record says (its OCSF event, or a WAL record's fields) into {@code o} and
     * tells whether the message carries exactly those bytes. Nothing for a record that is not whole.
     */
    private static boolean renderAndCompare(JsonOut o, ShippedMessage m, byte[] record, String host, String logId,
                                            byte[] message) {
        if (!RecordFormat.wellFormed(record, 0, record.length)) {
            return false;
        }
        int kind = RecordFormat.kind(record, 0);
        if (kind > Kinds.MAX_APP_KIND) {
            SecurityMessage.walFields(o, record, RecordFormat.HEADER, record.length - RecordFormat.HEADER, kind);
        } else if (!Ocsf.event(o, record, RecordFormat.HEADER, record.length - RecordFormat.HEADER,
                RecordFormat.wallNanos(record, 0), host, logId, RecordFormat.seq(record, 0))) {
            o.nul();
        }
        return m.valueIs(message, o.buffer(), o.length());
    }

    /** A message whose last value was left unparsed and that a parser refuses. */
    private static boolean notJson(ShippedMessage m, ConsumerRecord<byte[], byte[]> r) {
        if (!m.unparsed()) {
            return false;
        }
        try {
            JSON.readTree(r.value());
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** The hex of a key id, formatted once per key rather than once per record. */
    private String keyIdHex(int keyId) {
        if (keyIdHex == null || keyId != lastKeyId) {
            keyIdHex = KeyRing.idHex(keyId);
            lastKeyId = keyId;
        }
        return keyIdHex;
    }

    /** Whether the message's {@code member}, as a tree, equals {@code rendered} as a tree (what the byte comparison could not tell). */
    private static boolean sameJson(byte[] message, String member, JsonOut rendered) {
        try {
            JsonNode shipped = JSON.readTree(message).get(member);
            JsonNode mine = JSON.readTree(rendered.buffer(), 0, rendered.length());
            return shipped == null ? mine == null || mine.isNull() : shipped.equals(mine);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes a verified event with its {@code unmapped.verification}, spliced in before the
     * closing brace of its unmapped object, which is where every rendering of Ocsf.event ends
     * (OcsfSpliceTest holds it to what JsonScan finds in each record kind's event).
     */
    private void event(JsonOut rendered, ChainCheck c, long seq) throws IOException {
        byte[] b = rendered.buffer();
        int len = rendered.length();
        if (len < 2 || b[0] != '{') {
            return; // a record of a kind we cannot map ("null"): verified, nothing to show
        }
        JsonOut v = verification.reset();
        v.begin().name("log_id").str(c.logId).name("seq").num(seq).name("chain").str(c.lastVerification)
                .name("sealed_up_to").num(c.lastSealed()).end();
        int at = len - 2;
        byte[] name = b[at - 1] == '{' ? FIRST_VERIFICATION : NEXT_VERIFICATION;
        lines.raw(b, 0, at).raw(name, 0, name.length).raw(v.buffer(), 0, v.length()).raw(b, at, len - at);
        endLine();
        stats.events.incrementAndGet();
    }

    private void endLine() throws IOException {
        lines.raw(NEWLINE, 0, 1);
        if (lines.length() >= SPILL_AT) {
            spill();
        }
    }

    /** Hands the gathered lines on (all ASCII but what Jackson writes as UTF-8). */
    private void spill() throws IOException {
        if (lines.length() == 0) {
            return;
        }
        if (bytesOut != null) {
            bytesOut.write(lines.buffer(), 0, lines.length());
        } else {
            charsOut.write(new String(lines.buffer(), 0, lines.length(), StandardCharsets.UTF_8));
        }
        lines.reset();
    }

    /** Every line so far written and flushed (before offsets are committed; package-private for tests). */
    void drain() throws IOException {
        spill();
        if (bytesOut != null) {
            bytesOut.flush();
        } else {
            charsOut.flush();
        }
    }

    /** End of input (idle exit): a seal beyond the last record means the stream was cut short. */
    private void endOfStream() {
        boolean alone = aloneOnSecurityTopic();
        for (ChainCheck c : logs.values()) {
            if (c.accepted == 0 && !alone) {
                continue; // a log whose records another member of the group reads: its seals say nothing of ours
            }
            Seal s = c.pendingSeal();
            if (s != null && s.seq() >= c.expected()) {
                alert(c.host, c.logId, s.seq(), "truncated", "a seal covers seq " + s.seq()
                        + " but the topic ends at seq " + (c.expected() - 1), null);
            }
        }
    }

    /** Whether this consumer reads every partition of the security topic (no other member shares it). */
    private boolean aloneOnSecurityTopic() {
        try {
            List<PartitionInfo> all = consumer.partitionsFor(options.securityTopic, Duration.ofSeconds(10));
            long mine = consumer.assignment().stream().filter(tp -> tp.topic().equals(options.securityTopic)).count();
            return all != null && mine >= all.size();
        } catch (RuntimeException e) {
            return true; // as before groups were considered: every log with a seal is checked
        }
    }

    private ChainCheck log(String logId, String host) {
        ChainCheck c = logs.get(logId);
        if (c == null) {
            checkLogId(logId);
            c = new ChainCheck(logId, keys, sealPub);
            logs.put(logId, c);
        }
        if (c.host == null && host != null && !host.isEmpty()) {
            c.host = host;
        }
        return c;
    }

    private static void checkLogId(String logId) {
        if (!LOG_ID.matcher(logId).matches()) {
            throw new IllegalArgumentException("log_id '" + logId + "'");
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static byte[] hex(String s, int bytes) {
        if (s == null || s.length() != bytes * 2) {
            throw new IllegalArgumentException("expected " + bytes * 2 + " hex digits");
        }
        return HexFormat.of().parseHex(s);
    }

    /** Alerts of one log, written at once. */
    private final class Findings implements ChainCheck.Findings {
        private final ChainCheck c;
        private final ConsumerRecord<byte[], byte[]> r;

        Findings(ChainCheck c, ConsumerRecord<byte[], byte[]> r) {
            this.c = c;
            this.r = r;
        }

        @Override
        public void alert(String failure, long seq, String detail) {
            SiemConsumer.this.alert(c.host, c.logId, seq, failure, detail, r);
        }
    }

    /** One OCSF Detection Finding (class 2004) line. */
    private void alert(String host, String logId, long seq, String failure, String detail,
                       ConsumerRecord<byte[], byte[]> r) {
        stats.alert(failure);
        byte[] finding = findings.encode(System.currentTimeMillis(), options.securityTopic, host, logId, seq, failure, detail,
                r == null ? null : new DetectionFinding.Source(r.topic(), r.partition(), r.offset()));
        try {
            lines.raw(finding, 0, finding.length);
            endLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        LOG.log(System.Logger.Level.WARNING, "siem: " + failure + " host=" + host + " log=" + logId + " seq=" + seq
                + ": " + detail);
    }

    /** Asks {@link #run} to return after the current poll (any thread). */
    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void close() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.close(Duration.ofSeconds(5));
        }
    }
}
