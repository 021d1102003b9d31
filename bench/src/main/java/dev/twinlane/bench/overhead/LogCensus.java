package dev.twinlane.bench.overhead;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.twinlane.ingest.KernelClock;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;

/**
 * Reads one agent run's security log for the per-event cost benchmark (issue 12,
 * {@code bench/run-overhead.sh}): counts its records by kind and by process, counts the
 * records each workload caused, and measures kernel → appended latency.
 *
 * <pre>
 * LogCensus --wal DATA/security --key DATA/keys/security.key
 *           [--ours COMM,COMM] [--window LABEL FROM_MONO TO_MONO WORKLOAD TGID [PATH_OR_PORT]] ...
 * </pre>
 * A window is one workload's stretch of the run, in CLOCK_MONOTONIC ns (the clock of the
 * log's append times). For each it prints one line:
 * <pre>
 * WINDOW label=L chained=N others=O wl_records=W lat_n=K lat_p50_us=.. lat_p99_us=.. lat_p999_us=.. lat_max_us=..
 * </pre>
 * <ul>
 * <li>{@code chained}: records of any kind appended inside the window (the agent's work in it);
 * <li>{@code others}: those of them made by processes other than the benchmark's (whose comm is not
 *   one of {@code --ours}, default {@code workload,true}): on a shared machine, other people's
 *   processes, and the agent's own;
 * <li>{@code wl_records}: the records of the workload's own operations, whenever appended:
 *   {@code open}: file_open records of TGID whose path is PATH; {@code exec}: exec records whose
 *   parent is TGID (the workload forks, the child execs); {@code connect}: connect records of TGID
 *   to 127.0.0.1 port PORT; {@code stat}: none are expected (0 is printed);
 * <li>{@code lat_*}: append time (the WAL header's monotonic nanos) minus the record's kernel time
 *   ({@code tl_header.ktime_ns}, CLOCK_BOOTTIME, moved to CLOCK_MONOTONIC by the offset between the
 *   two clocks, read here: constant unless the machine suspended), over the kernel records made
 *   inside the window, by any process.
 * </ul>
 * and for the whole log: {@code CENSUS records=.. kind_exec=.. ... wal_own=.. gap_records=.. gap_lost=..
 * others=.. others_top=COMM:N,...} ({@code wal_own}: the log's own GENESIS and SEAL records) and
 * {@code TOP} lines, the processes (tgid, comm) with the most records.
 *
 * <p>Reads through the wal module's public API ({@link ChainedLog#reader()}, {@link RecordFormat});
 * open the log only after the agent has stopped (one writer per log). Opening a log for reading
 * this way rewrites its key state file; the benchmark deletes the log afterwards.
 */
public final class LogCensus {
    private static final int OFF_KTIME = RecordLayout.HEADER.field("ktime_ns").offset();
    private static final int OFF_TGID = RecordLayout.HEADER.field("tgid").offset();
    private static final int OFF_PTGID = RecordLayout.HEADER.field("ptgid").offset();
    private static final int OFF_COMM = RecordLayout.HEADER.field("comm").offset();
    private static final int OFF_PATH = RecordLayout.FILE_OPEN.field("path").offset();
    private static final int OFF_DPORT = RecordLayout.NET.field("dport").offset();
    private static final int OFF_DADDR = RecordLayout.NET.field("daddr").offset();
    private static final int HEADER_SIZE = RecordLayout.HEADER.size();
    private static final int KIND_EXEC = 1;
    private static final int KIND_FILE_OPEN = 2;
    private static final int KIND_CONNECT = 3;
    private static final String[] KIND_NAMES = {"", "exec", "file_open", "connect", "bind", "ptrace", "kernel_read", "bpf"};

    /** One workload's stretch of the run. */
    private static final class Window {
        final String label;
        final long from;
        final long to;
        final String workload;
        final int tgid;
        final byte[] path;
        final int port;
        long chained;
        long others;
        long wlRecords;
        long[] lat = new long[1024];
        int n;

        Window(String label, long from, long to, String workload, int tgid, String pathOrPort) {
            this.label = label;
            this.from = from;
            this.to = to;
            this.workload = workload;
            this.tgid = tgid;
            this.path = workload.equals("open") && pathOrPort != null ? pathOrPort.getBytes(StandardCharsets.UTF_8) : null;
            this.port = workload.equals("connect") && pathOrPort != null ? Integer.parseInt(pathOrPort) : -1;
        }

        void latency(long ns) {
            if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = ns;
        }

        /** Did this record come from one of the workload's own operations? */
        boolean ours(int kind, byte[] b, int p, int len) {
            switch (workload) {
                case "open":
                    return kind == KIND_FILE_OPEN && tgid(b, p) == tgid && pathIs(b, p + OFF_PATH, len - OFF_PATH, path);
                case "exec":
                    return kind == KIND_EXEC && RecordFormat.getInt(b, p + OFF_PTGID) == tgid;
                case "connect":
                    return kind == KIND_CONNECT && tgid(b, p) == tgid
                            && (port < 0 || RecordFormat.getU16(b, p + OFF_DPORT) == port)
                            && b[p + OFF_DADDR] == 127;
                default:
                    return false;
            }
        }

        String line() {
            long[] v = Arrays.copyOf(lat, n);
            Arrays.sort(v);
            return String.format("WINDOW label=%s chained=%d others=%d wl_records=%d lat_n=%d lat_p50_us=%s lat_p99_us=%s"
                            + " lat_p999_us=%s lat_max_us=%s", label, chained, others, wlRecords, n, us(pct(v, 0.50)),
                    us(pct(v, 0.99)), us(pct(v, 0.999)), us(n == 0 ? -1 : v[n - 1]));
        }
    }

    private LogCensus() {
    }

    public static void main(String[] args) throws Exception {
        Path wal = null;
        Path key = null;
        List<String> ours = List.of("workload", "true");
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--wal" -> wal = Path.of(args[++i]);
                case "--key" -> key = Path.of(args[++i]);
                case "--ours" -> ours = List.of(args[++i].split(","));
                case "--window" -> {
                    String label = args[++i];
                    long from = Long.parseLong(args[++i]);
                    long to = Long.parseLong(args[++i]);
                    String workload = args[++i];
                    int tgid = Integer.parseInt(args[++i]);
                    String extra = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : null;
                    windows.add(new Window(label, from, to, workload, tgid, extra));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (wal == null || key == null) {
            System.err.println("usage: LogCensus --wal DIR --key FILE [--window LABEL FROM_MONO TO_MONO WORKLOAD TGID [PATH|PORT]] ...");
            System.exit(2);
        }
        long bootMinusMono = bootMinusMono();
        long records = 0;
        long gapRecords = 0;
        long gapLost = 0;
        long[] byKind = new long[KIND_NAMES.length];
        long walOwn = 0;
        Map<String, long[]> byProcess = new HashMap<>();
        Map<String, long[]> othersByComm = new HashMap<>();
        try (ChainedLog log = ChainedLog.security(wal).keys(KeyRing.load(key)).build(); ChainReader r = log.reader()) {
            while (r.next()) {
                records++;
                byte[] b = r.bytes();
                int kind = r.kind();
                long appended = RecordFormat.monoNanos(b, 0);
                int p = r.payloadOffset();
                int len = r.payloadLength();
                boolean kernelRecord = kind > 0 && kind < KIND_NAMES.length && len >= HEADER_SIZE;
                String comm = kernelRecord ? comm(b, p + OFF_COMM) : null;
                boolean other = kernelRecord && !ours.contains(comm);
                for (Window w : windows) {
                    if (appended >= w.from && appended <= w.to) {
                        w.chained++;
                        if (other) {
                            w.others++;
                        }
                    }
                }
                if (kind == Kinds.GAP) {
                    gapRecords++;
                    gapLost += RecordFormat.getLong(b, r.payloadOffset());
                    continue;
                }
                if (!kernelRecord) {
                    walOwn++;
                    continue;
                }
                byKind[kind]++;
                byProcess.computeIfAbsent(tgid(b, p) + ":" + comm, k -> new long[1])[0]++;
                if (other) {
                    othersByComm.computeIfAbsent(comm, k -> new long[1])[0]++;
                }
                long kernelMono = RecordFormat.getLong(b, p + OFF_KTIME) - bootMinusMono;
                for (Window w : windows) {
                    if (kernelMono >= w.from && kernelMono <= w.to) {
                        w.latency(appended - kernelMono);
                    }
                    if (w.ours(kind, b, p, len)) {
                        w.wlRecords++;
                    }
                }
            }
        }
        StringBuilder census = new StringBuilder("CENSUS records=" + records);
        for (int k = 1; k < KIND_NAMES.length; k++) {
            census.append(" kind_").append(KIND_NAMES[k]).append('=').append(byKind[k]);
        }
        census.append(" wal_own=").append(walOwn).append(" gap_records=").append(gapRecords).append(" gap_lost=").append(gapLost);
        census.append(" others=").append(othersByComm.values().stream().mapToLong(n -> n[0]).sum());
        census.append(" others_top=").append(String.join(",", top(othersByComm, 3)));
        System.out.println(census);
        for (String who : top(byProcess, 8)) {
            System.out.println("TOP tgid:comm:records=" + who);
        }
        for (Window w : windows) {
            System.out.println(w.line());
        }
    }

    /** The {@code n} keys with the highest counts, as KEY:COUNT, highest first. */
    private static List<String> top(Map<String, long[]> counts, int n) {
        TreeMap<Long, List<String>> byCount = new TreeMap<>();
        counts.forEach((k, c) -> byCount.computeIfAbsent(-c[0], x -> new ArrayList<>()).add(k));
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, List<String>> e : byCount.entrySet()) {
            for (String k : e.getValue()) {
                if (out.size() < n) {
                    out.add(k + ":" + -e.getKey());
                }
            }
        }
        return out;
    }

    private static int tgid(byte[] b, int p) {
        return RecordFormat.getInt(b, p + OFF_TGID);
    }

    private static String comm(byte[] b, int off) {
        int end = off;
        while (end < off + RecordLayout.COMM_LEN && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8).replace(' ', '_').replace(',', '_');
    }

    /** Is the NUL-padded string at {@code off} (at most {@code max} bytes) exactly {@code want}? */
    private static boolean pathIs(byte[] b, int off, int max, byte[] want) {
        if (want == null) {
            return true;
        }
        if (want.length >= max || b[off + want.length] != 0) {
            return false;
        }
        return Arrays.equals(b, off, off + want.length, want, 0, want.length);
    }

    /** CLOCK_BOOTTIME − CLOCK_MONOTONIC, from the tightest of a few bracketed readings. */
    private static long bootMinusMono() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 20; i++) {
            long m0 = System.nanoTime();
            long boot = KernelClock.bootNanos();
            long m1 = System.nanoTime();
            if (m1 - m0 < best) {
                best = m1 - m0;
                offset = boot - (m0 + (m1 - m0) / 2);
            }
        }
        return offset;
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String us(long ns) {
        return ns < 0 ? "NA" : String.format("%.1f", ns / 1000.0);
    }
}
