package dev.twinlane.observability;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

import com.lmax.disruptor.EventHandler;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The observability lane's handler: aggregates records into wall-clock
 * windows (arrival time) and writes one JSON batch per window. Missing
 * windows (an agent pause) and series missing from a window that lost
 * records are filled by the configured {@link Imputation}, each filled value
 * marked synthetic; observed values are never changed. Series of processes
 * that exited are never imputed.
 */
final class WindowAggregator implements EventHandler<ObservationEvent> {
    private static final int TGID = RecordLayout.HEADER.field("tgid").offset();
    private static final int START = RecordLayout.HEADER.field("start_ns").offset();
    private static final int PTGID = RecordLayout.HEADER.field("ptgid").offset();
    private static final int PSTART = RecordLayout.HEADER.field("parent_start_ns").offset();
    private static final int SYSCALL_NR = RecordLayout.SYSCALL.field("nr").offset();
    private static final int SYSCALL_LATENCY = RecordLayout.SYSCALL.field("latency_ns").offset();
    private static final int CHILD_START = RecordLayout.FORK.field("child_start_ns").offset();
    private static final int CHILD_TGID = RecordLayout.FORK.field("child_tgid").offset();
    private static final int EXIT_CODE = RecordLayout.EXIT.field("exit_code").offset();
    private static final int UTIME = RecordLayout.EXIT.field("utime_ns").offset();
    private static final int STIME = RecordLayout.EXIT.field("stime_ns").offset();
    private static final int TCP_OLD = RecordLayout.TCP_STATE.field("oldstate").offset();
    private static final int TCP_NEW = RecordLayout.TCP_STATE.field("newstate").offset();
    private static final int COMM = RecordLayout.HEADER.field("comm").offset();
    private static final int MAX_PAUSE_WINDOWS = 50;

    private final long windowMs;
    private final Imputation imputation;
    private final BatchSink sink;
    private final LongSupplier clockMillis;
    private final LongSupplier shedCounter;
    private final RecordView view = new RecordView();
    private final SeriesTable syscalls;
    private final long[] tcp = new long[16 * 16];
    private final long[] lifecycle;       // fork: parent tgid, parent start, child tgid, child start
    private final long[] exits;           // tgid, start, exit code, cpu ns, comm offset index
    private final byte[] exitComms;
    private final int lifecycleCap;
    private final Map<Long, SeriesHistory> history = new HashMap<>();
    private final StringBuilder json = new StringBuilder(1 << 16);
    private byte[] out = new byte[1 << 16];
    private long window = -1;
    private int part;
    private long records;
    private long forks;
    private long exitCount;
    private long overflow;
    private long kernelLosses;
    private long shedAtWindowStart;
    private long batches;
    /** Batches the sink refused (a full disk): dropped, never retried; the lane sheds, never waits. */
    private volatile long unwritten;
    private long failingSince;
    private long lastReport;
    private long imputedValues;

    WindowAggregator(long windowMs, int maxSeries, Imputation imputation, BatchSink sink,
            LongSupplier clockMillis, LongSupplier shedCounter) {
        this.windowMs = windowMs;
        this.imputation = imputation;
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.shedCounter = shedCounter;
        this.syscalls = new SeriesTable(maxSeries);
        this.lifecycleCap = maxSeries;
        this.lifecycle = new long[maxSeries * 4];
        this.exits = new long[maxSeries * 4];
        this.exitComms = new byte[maxSeries * RecordLayout.COMM_LEN];
    }

    @Override
    public void onEvent(ObservationEvent e, long sequence, boolean endOfBatch) throws Exception {
        long now = clockMillis.getAsLong();
        advance(now / windowMs);
        switch (e.type) {
            case RECORD -> add(e);
            case LOSS -> kernelLosses += e.lossCount;
            case TICK -> tickSink();
        }
    }

    private void tickSink() {
        try {
            sink.tick();
        } catch (Exception e) {
            // the sink reported it (a full disk); the next tick tries again
        }
    }

    /** The lane is stopping: the window in progress is written, not lost. */
    @Override
    public void onShutdown() {
        if (window >= 0 && (records > 0 || kernelLosses > 0 || part == 0)) {
            try {
                flush(true, false);
            } catch (Exception e) {
                System.err.println("twinlane observability lane: last window not written: " + e.getMessage());
            }
        }
    }

    /** Closes the current window when time moved past it, imputing skipped windows. */
    private void advance(long idx) throws Exception {
        if (window < 0) {
            startWindow(idx);
            return;
        }
        if (idx <= window) {
            return;
        }
        flush(true, false);
        long skipped = Math.min(idx - window - 1, MAX_PAUSE_WINDOWS);
        for (long w = idx - skipped; w < idx; w++) {
            startWindow(w);
            flush(true, true);  // a window the agent missed (paused): live series are imputed
        }
        startWindow(idx);
    }

    private void startWindow(long idx) {
        window = idx;
        part = 0;
        shedAtWindowStart = shedCounter.getAsLong();
    }

    private void add(ObservationEvent e) throws Exception {
        view.wrap(e.data, 0, e.length);
        records++;
        RecordKind kind = view.kind();
        if (kind == RecordKind.SYSCALL) {
            long key = SeriesTable.key(view.u32(TGID), view.u32(SYSCALL_NR));
            if (!syscalls.add(key, view.s64(SYSCALL_LATENCY))) {
                flush(false, false);
                syscalls.add(key, view.s64(SYSCALL_LATENCY));
            }
        } else if (kind == RecordKind.TCP_STATE) {
            tcp[(view.u8(TCP_OLD) & 15) * 16 + (view.u8(TCP_NEW) & 15)]++;
        } else if (kind == RecordKind.FORK) {
            if (forks == lifecycleCap) {
                flush(false, false);
            }
            int i = (int) forks++ * 4;
            lifecycle[i] = view.u32(TGID);
            lifecycle[i + 1] = view.s64(START);
            lifecycle[i + 2] = view.u32(CHILD_TGID);
            lifecycle[i + 3] = view.s64(CHILD_START);
        } else if (kind == RecordKind.EXIT) {
            if (exitCount == lifecycleCap) {
                flush(false, false);
            }
            int n = (int) exitCount++;
            exits[n * 4] = view.u32(TGID);
            exits[n * 4 + 1] = view.s64(START);
            exits[n * 4 + 2] = view.s32(EXIT_CODE);
            exits[n * 4 + 3] = view.s64(UTIME) + view.s64(STIME);
            System.arraycopy(e.data, COMM, exitComms, n * RecordLayout.COMM_LEN, RecordLayout.COMM_LEN);
        } else {
            overflow++;  // not an observability kind: counted, never guessed at
        }
    }

    /** Writes the window (or a part of it when a table filled up). */
    private void flush(boolean windowEnds, boolean paused) throws Exception {
        long shed = shedCounter.getAsLong() - shedAtWindowStart;
        boolean lossy = shed > 0 || kernelLosses > 0 || paused;
        json.setLength(0);
        json.append("{\"window_start_ms\":").append(window * windowMs).append(",\"window_ms\":").append(windowMs)
                .append(",\"part\":").append(part).append(",\"final_part\":").append(windowEnds)
                .append(",\"paused\":").append(paused).append(",\"records\":").append(records)
                .append(",\"losses\":{\"kernel_drops\":").append(kernelLosses).append(",\"shed\":").append(shed)
                .append(",\"unknown_kind\":").append(overflow).append('}');
        appendSyscalls(windowEnds && lossy);
        appendLifecycle();
        appendTcp();
        json.append('}');
        write();
        if (windowEnds) {
            forgetExited();
        }
        syscalls.clear();
        java.util.Arrays.fill(tcp, 0);
        records = forks = exitCount = overflow = kernelLosses = 0;
        part++;
        shedAtWindowStart += shed;
    }

    private void appendSyscalls(boolean impute) {
        json.append(",\"syscalls\":[");
        boolean first = true;
        for (int n = 0; n < syscalls.size(); n++) {
            int slot = syscalls.slotAt(n);
            long key = syscalls.keyOf(slot);
            first = comma(first);
            json.append("{\"tgid\":").append(key >>> 32).append(",\"nr\":").append(key & 0xFFFF_FFFFL)
                    .append(",\"count\":").append(syscalls.countOf(slot))
                    .append(",\"latency_sum_ns\":").append(syscalls.latencySumOf(slot))
                    .append(",\"latency_log2_ns\":{");
            boolean firstBucket = true;
            for (int b = 0; b < SeriesTable.BUCKETS; b++) {
                long c = syscalls.bucket(slot, b);
                if (c != 0) {
                    firstBucket = comma(firstBucket);
                    json.append('"').append(b).append("\":").append(c);
                }
            }
            json.append("}}");
            history.computeIfAbsent(key, k -> new SeriesHistory()).observe(syscalls.countOf(slot));
        }
        if (impute && imputation != Imputation.OFF) {
            for (Map.Entry<Long, SeriesHistory> h : history.entrySet()) {
                if (syscalls.contains(h.getKey()) || h.getValue().imputedRun >= 5) {
                    continue;
                }
                h.getValue().imputedRun++;
                imputedValues++;
                first = comma(first);
                json.append("{\"tgid\":").append(h.getKey() >>> 32).append(",\"nr\":").append(h.getKey() & 0xFFFF_FFFFL)
                        .append(",\"count\":").append(imputation.fill(h.getValue()))
                        .append(",\"synthetic\":true,\"method\":\"").append(imputation.label()).append("\"}");
            }
        }
        json.append(']');
    }

    private void appendLifecycle() {
        json.append(",\"forks\":[");
        boolean first = true;
        for (int i = 0; i < forks; i++) {
            first = comma(first);
            json.append("{\"parent_exec_id\":\"").append(lifecycle[i * 4]).append(':')
                    .append(Long.toUnsignedString(lifecycle[i * 4 + 1])).append("\",\"child_exec_id\":\"")
                    .append(lifecycle[i * 4 + 2]).append(':').append(Long.toUnsignedString(lifecycle[i * 4 + 3]))
                    .append("\"}");
        }
        json.append("],\"exits\":[");
        first = true;
        for (int i = 0; i < exitCount; i++) {
            first = comma(first);
            json.append("{\"exec_id\":\"").append(exits[i * 4]).append(':').append(Long.toUnsignedString(exits[i * 4 + 1]))
                    .append("\",\"comm\":\"");
            appendComm(i);
            long status = exits[i * 4 + 2];
            json.append("\",\"exit_code\":").append((status >> 8) & 0xFF).append(",\"signal\":").append(status & 0x7F)
                    .append(",\"cpu_ns\":").append(exits[i * 4 + 3]).append('}');
        }
        json.append(']');
    }

    private void appendComm(int i) {
        for (int c = 0; c < RecordLayout.COMM_LEN; c++) {
            int b = exitComms[i * RecordLayout.COMM_LEN + c] & 0xFF;
            if (b == 0) {
                break;
            }
            if (b < 0x20 || b > 0x7e || b == '"' || b == '\\') {
                json.append(String.format("\\u%04x", b));
            } else {
                json.append((char) b);
            }
        }
    }

    private void appendTcp() {
        json.append(",\"tcp_states\":[");
        boolean first = true;
        for (int i = 0; i < tcp.length; i++) {
            if (tcp[i] != 0) {
                first = comma(first);
                json.append("{\"from\":").append(i / 16).append(",\"to\":").append(i % 16)
                        .append(",\"count\":").append(tcp[i]).append('}');
            }
        }
        json.append(']');
    }

    /** Dead processes are not imputed: drop their series once their exit is written. */
    private void forgetExited() {
        if (exitCount == 0) {
            return;
        }
        Iterator<Long> it = history.keySet().iterator();
        while (it.hasNext()) {
            long tgid = it.next() >>> 32;
            for (int i = 0; i < exitCount; i++) {
                if (exits[i * 4] == tgid) {
                    it.remove();
                    break;
                }
            }
        }
    }

    private void write() throws Exception {
        int n = json.length();
        if (out.length < n) {
            out = new byte[Math.max(n, out.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            out[i] = (byte) json.charAt(i);  // the JSON is ASCII by construction
        }
        try {
            sink.write(out, n, window * windowMs);
        } catch (Exception e) {
            unwritten(e);   // the lane sheds, never waits: the batch is dropped, counted, reported
            return;
        }
        batches++;
        if (failingSince != 0) {
            System.err.printf("twinlane observability lane: the observability log takes batches again after %.1f s;"
                    + " %d batches were not written%n", (System.nanoTime() - failingSince) / 1e9, unwritten);
            failingSince = 0;
        }
    }

    /** One line when writes start failing, then at most one a minute while they go on failing. */
    private void unwritten(Exception e) {
        unwritten++;
        long now = System.nanoTime();
        if (failingSince == 0 || now - lastReport >= 60_000_000_000L) {
            System.err.println("twinlane observability lane: " + (failingSince == 0 ? "" : "still: ")
                    + "the observability log cannot append (" + e.getMessage() + "); its batches are dropped and counted ("
                    + unwritten + " so far) until it can");
            if (failingSince == 0) {
                failingSince = now;
            }
            lastReport = now;
        }
    }

    private boolean comma(boolean first) {
        if (!first) {
            json.append(',');
        }
        return false;
    }

    long batches() {
        return batches;
    }

    long unwritten() {
        return unwritten;
    }

    long imputedValues() {
        return imputedValues;
    }

    static String utf8(byte[] b, int n) {
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
