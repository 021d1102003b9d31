package dev.twinlane.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import dev.twinlane.cli.UsageException;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.WakeupPolicy;
import dev.twinlane.observability.Imputation;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.Ring;
import dev.twinlane.detector.DetectionRules;
import dev.twinlane.detector.RulesFileException;
import dev.twinlane.router.PromotionRule;

/**
 * The agent's one configuration file (YAML), validated at start with one
 * line per bad value. Every setting has a default, so no file is needed.
 * docs/CONFIGURATION.md lists them.
 */
final class AgentConfig {
    static final Set<String> WAITS = Set.of("blocking", "sleeping", "yielding", "busy-spin");
    static final Set<String> METHODS = Set.of("off", "last", "linear", "ewma");

    Path dataDir = Path.of("/var/lib/twinlane");
    IngestConfig ingest = new IngestConfig();
    static final List<String> DEFAULT_WATCH = List.of("/etc/shadow", "/etc/sudoers", "/root/.ssh/");

    List<String> watch = DEFAULT_WATCH;
    /** kernel.open_tracepoint: auto attaches it only for watches the operator asked for. */
    String openTracepoint = "auto";
    int securityRingSize = 1 << 13;   // 1 KiB entries: 8 MiB, kept small for the caches
    String securityWait = "blocking";
    /** security.lane_thread: a thread and Disruptor ring of the lane's own; false appends on the reader's thread. */
    boolean securityLaneThread;
    /** SCHED_FIFO priority of the security ring's reader and the security lane; 0: normal scheduling. */
    int securityRealtimePriority = 1;
    int securityNice = 0;
    /** Nice value of the security log's Merkle tree and pretoucher threads, which nothing waits for. */
    int securityBackgroundNice = 19;
    /** The security reader leaves out of its CPUs the one that makes most of its records (router's ReaderPlacement). */
    boolean securityAvoidProducerCpu = false;
    long securityFsyncMs = 100;
    Path keyFile;
    Path sealKeyFile;
    int observabilityRingSize = 1 << 14;
    String observabilityWait = "blocking";
    long windowMs = 200;
    int maxSeries = 8192;
    Imputation imputation = Imputation.LAST;
    long observabilityFsyncMs = 1000;
    List<PromotionRule> promotions = new ArrayList<>();
    /** detector.enabled: scan records' strings for planted payloads (the detector module). */
    boolean detectorEnabled = true;
    /** sandbox_denials.enabled: read the kernel's audit stream for sandboxed workloads' denials. */
    boolean sandboxDenials = true;
    /** sandbox_denials.enable_audit: turn the kernel's audit on while the agent runs (Landlock logs only then). */
    boolean enableAudit;
    /** detector.rules: a rules file adding to the builtin rules; null: the builtin rules alone. */
    Path detectorRulesFile;
    /** The rules, loaded by {@link #loadDetectionRules()} before the start; null: the detector is off. */
    DetectionRules detection;
    /** Deny and watch rules from run's options, checked before the start (none from the file yet). */
    PolicyRules rules = PolicyRules.NONE;
    /** The policy plane (the policy: section); null: off, nothing pinned, no control socket. */
    PolicySettings policy;
    /** Where GET /metrics listens (the metrics: section or run --metrics); null: off, no port opened. */
    java.net.InetSocketAddress metricsListen;
    /** Kafka export (the kafka: section or run --kafka); null: none. */
    dev.twinlane.export.ExportSettings kafka;
    /**
     * run --start-new-log REASON: where a log is damaged, missing or not the one remembered, keep it
     * aside and start a new one that records REASON. Command line only, one start at a time: in a
     * configuration file it would quietly accept every later damage.
     */
    String startNewLogReason;

    /** The defaults, used by `./twinlane run` without --config. */
    static AgentConfig defaults() {
        AgentConfig c = new AgentConfig();
        c.promotions.add(defaultPromotion());
        c.detection = DetectionRules.builtin();
        return c;
    }

    /** Failed privilege changes, ptrace, mount and module loads. */
    static PromotionRule defaultPromotion() {
        return new PromotionRule("failed-privileged-syscall", RecordKind.SYSCALL, true,
                new long[] {101, 105, 106, 113, 114, 117, 119, 165, 175, 313}, new long[0]);
    }

    static AgentConfig load(Path file) throws UsageException {
        String text = readUtf8(file);
        Object tree;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            tree = new Yaml(new SafeConstructor(options)).load(text);
        } catch (DuplicateKeyException e) {
            // SnakeYAML's problem text is "found duplicate key K"; the mark is the second K
            String key = e.getProblem().replaceFirst("^found duplicate key ", "");
            throw new UsageException("config " + file + ": " + at(e.getProblemMark()) + ": duplicate key '" + key + "'");
        } catch (MarkedYAMLException e) {
            // the problem and where it is, then what SnakeYAML was in the middle of ("while parsing a
            // flow sequence") and where that began, which is often where the mistake is
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            String context = e.getProblem() != null && e.getContext() != null && e.getContextMark() != null
                    ? " (" + firstLine(e.getContext()) + " from " + at(e.getContextMark()) + ")" : "";
            throw new UsageException("config " + file + " is not valid YAML: " + (m == null ? "" : at(m) + ": ")
                    + firstLine(problem) + context);
        } catch (ReaderException e) {
            throw new UsageException("config " + file + " is not valid YAML: " + at(text, e.getPosition())
                    + String.format(": character U+%04X is not allowed", e.getCodePoint()));
        } catch (RuntimeException e) {
            throw new UsageException("config " + file + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (tree != null && !(tree instanceof Map)) {
            throw new UsageException("config " + file + ": the top level must be a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) tree;
        List<String> errors = new ArrayList<>();
        AgentConfig c = new AgentConfig();
        c.read(new ConfigReader("", root, errors));
        c.kafka = KafkaConfig.read(root == null ? null : root.get("kafka"), errors);
        if (!errors.isEmpty()) {
            throw new UsageException("config " + file + ": " + String.join("; ", errors));
        }
        c.loadDetectionRules();
        return c;
    }

    /** The file's text; a byte that is not UTF-8 is named with its line and offset (one line). */
    private static String readUtf8(Path file) throws UsageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException("cannot read config " + file + ": " + e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult r = utf8.decode(in, out, true);
        if (r.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new UsageException(String.format("config %s is not UTF-8 text: invalid byte 0x%02x at line %d,"
                    + " byte offset %d", file, bytes[offset] & 0xff, line, offset));
        }
        utf8.flush(out);
        return out.flip().toString();
    }

    /** "line L, column C", both from 1. */
    private static String at(Mark m) {
        return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
    }

    private static String at(String text, int index) {
        int line = 1;
        int start = 0;
        for (int i = 0; i < Math.min(index, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                start = i + 1;
            }
        }
        return "line " + line + ", column " + (index - start + 1);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().split("\n")[0];
    }

    /**
     * Whether watched opens are worth the openat tracepoint where the BPF LSM cannot see them:
     * "auto" says yes only when the operator named the watches (kernel.watch, --watch), not for
     * the built-in list, so that a plain `twinlane run` leaves every open of the host untouched.
     */
    boolean wantsOpenTracepoint() {
        return switch (openTracepoint) {
            case "true" -> true;
            case "false" -> false;
            default -> !watch.equals(DEFAULT_WATCH) || !rules.watchPrefixes().isEmpty();
        };
    }

    private void read(ConfigReader r) {
        dataDir = Path.of(r.text("data_dir", dataDir.toString()));
        ingest.mode(r.choice("mode", "enforce", Set.of("audit", "enforce")).equals("audit")
                ? IngestConfig.Mode.AUDIT : IngestConfig.Mode.ENFORCE);
        ConfigReader k = r.section("kernel");
        ingest.ringBytes(Ring.SECURITY, k.powerOfTwo("security_ring_bytes", 8 << 20, 4096, 1 << 30));
        ingest.ringBytes(Ring.OBSERVABILITY, k.powerOfTwo("observability_ring_bytes", 8 << 20, 4096, 1 << 30));
        ingest.syscallSampleRate((int) k.number("syscall_sample_rate", 0, 0, 1_000_000));
        ingest.recordAllOpens(k.flag("record_all_opens", false));
        openTracepoint = k.autoOrFlag("open_tracepoint", openTracepoint);
        ingest.cgroupFilter(k.number("cgroup_filter", 0, 0, Long.MAX_VALUE));
        List<String> w = new ArrayList<>();
        List<Object> prefixes = k.list("watch");
        for (int i = 0; i < prefixes.size(); i++) {
            String p = String.valueOf(prefixes.get(i));
            if (!PolicyRules.isPrefix(p)) {
                k.problem("watch[" + i + "]", "must be " + PolicyRules.PREFIX + ", not '" + p + "'");
            }
            w.add(p);
        }
        if (!w.isEmpty()) {
            watch = w;
        }
        k.rejectUnknown();

        ConfigReader s = r.section("security");
        securityRingSize = s.powerOfTwo("ring_size", securityRingSize, 128, 1 << 24);
        securityLaneThread = s.flag("lane_thread", securityLaneThread);
        securityWait = s.choice("wait_strategy", securityWait, WAITS);
        securityFsyncMs = s.number("fsync_ms", securityFsyncMs, 0, 60_000);
        securityRealtimePriority = (int) s.number("realtime_priority", securityRealtimePriority, 0, 99);
        securityNice = (int) s.number("nice", securityNice, -20, 19);
        securityBackgroundNice = (int) s.number("background_nice", securityBackgroundNice, -20, 19);
        securityAvoidProducerCpu = s.flag("reader_avoids_producer_cpu", securityAvoidProducerCpu);
        if (securityRealtimePriority > 0 && (securityWait.equals("yielding") || securityWait.equals("busy-spin"))) {
            s.problem("realtime_priority", "must be 0 with wait_strategy " + securityWait
                    + " (a spinning thread at real-time priority keeps its core from every other thread)");
        }
        ingest.wakeup(Ring.SECURITY, wakeup(s, WakeupPolicy.SECURITY_DEFAULT));
        String key = s.text("key_file", null);
        keyFile = key == null ? null : Path.of(key);
        String seal = s.text("seal_key_file", null);
        sealKeyFile = seal == null ? null : Path.of(seal);
        s.rejectUnknown();

        ConfigReader o = r.section("observability");
        observabilityRingSize = o.powerOfTwo("ring_size", observabilityRingSize, 64, 1 << 24);
        observabilityWait = o.choice("wait_strategy", observabilityWait, WAITS);
        windowMs = o.number("window_ms", windowMs, 10, 60_000);
        maxSeries = (int) o.number("max_series", maxSeries, 16, 1 << 20);
        imputation = Imputation.parse(o.choice("imputation", "last", METHODS));
        observabilityFsyncMs = o.number("fsync_ms", observabilityFsyncMs, 0, 600_000);
        ingest.wakeup(Ring.OBSERVABILITY, wakeup(o, WakeupPolicy.OBSERVABILITY_DEFAULT));
        o.rejectUnknown();

        ConfigReader d = r.section("detector");
        detectorEnabled = d.flag("enabled", detectorEnabled);
        String detectorRules = d.text("rules", null);
        detectorRulesFile = detectorRules == null ? null : Path.of(detectorRules);
        d.rejectUnknown();

        ConfigReader sd = r.section("sandbox_denials");
        sandboxDenials = sd.flag("enabled", sandboxDenials);
        enableAudit = sd.flag("enable_audit", enableAudit);
        sd.rejectUnknown();

        ConfigReader routing = r.section("routing");
        readRules(routing, routing.list("promote"));
        routing.rejectUnknown();
        // present, even empty (policy: {}), it turns the policy plane on with its defaults
        ConfigReader p = r.section("policy");
        if (r.has("policy")) {
            policy = PolicySettings.read(p);   // its pin_dir reaches the kernel side in Pipeline
        }
        ConfigReader m = r.section("metrics");
        String listen = m.text("listen", null);
        if (listen != null) {
            try {
                metricsListen = MetricsEndpoint.parse(listen);
            } catch (IllegalArgumentException e) {
                m.problem("listen", e.getMessage());
            }
        }
        m.rejectUnknown();
        r.section("kafka"); // read by KafkaConfig
        r.rejectUnknown();
    }

    /** The detector's rules (builtin, and detector.rules after them), or null when it is off; a bad file is one line. */
    void loadDetectionRules() throws UsageException {
        if (!detectorEnabled) {
            detection = null;
            return;
        }
        try {
            detection = detectorRulesFile == null ? DetectionRules.builtin() : DetectionRules.withFile(detectorRulesFile);
        } catch (RulesFileException e) {
            throw new UsageException("detector rules " + e.getMessage());
        }
    }

    /** max_delay (0: the kernel wakes the reader per record) and wakeup_watermark_percent of the ring. */
    private static WakeupPolicy wakeup(ConfigReader r, WakeupPolicy dflt) {
        long delay = r.nanos("max_delay", dflt.maxDelayNanos(), 0, 1_000_000_000L);
        long percent = r.number("wakeup_watermark_percent", Math.round(dflt.watermarkFraction() * 100), 1, 100);
        return new WakeupPolicy(delay, percent / 100.0);
    }

    /** No rules given: the default one. An explicit empty list is not distinguishable, so both mean default. */
    private void readRules(ConfigReader routing, List<Object> rules) {
        if (rules.isEmpty()) {
            promotions.add(defaultPromotion());
            return;
        }
        for (int i = 0; i < rules.size(); i++) {
            ConfigReader rule = routing.item("promote[" + i + "]", rules.get(i));
            String name = rule.text("name", "rule-" + i);
            String kindName = rule.text("kind", "");
            boolean failed = rule.flag("failed", false);
            long[] syscalls = numbers(rule.list("syscalls"), rule, "syscalls");
            long[] uids = numbers(rule.list("uids"), rule, "uids");
            rule.rejectUnknown();
            RecordKind kind = null;
            for (RecordKind rk : RecordKind.values()) {
                if (rk.label().equals(kindName)) {
                    kind = rk;
                }
            }
            if (kind == null) {
                rule.error("kind: unknown record kind '" + kindName + "'");
                continue;
            }
            try {
                promotions.add(new PromotionRule(name, kind, failed, syscalls, uids));
            } catch (IllegalArgumentException e) {
                rule.error(e.getMessage());
            }
        }
    }

    private static long[] numbers(List<Object> values, ConfigReader r, String what) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (values.get(i) instanceof Number) {
                out[i] = ((Number) values.get(i)).longValue();
            } else {
                r.error(what + "[" + i + "] must be a number, not '" + values.get(i) + "'");
            }
        }
        return out;
    }

    static WaitStrategy waitStrategy(String name) {
        switch (name) {
            case "sleeping": return new SleepingWaitStrategy();
            case "yielding": return new YieldingWaitStrategy();
            case "busy-spin": return new BusySpinWaitStrategy();
            default: return new BlockingWaitStrategy();
        }
    }
}
