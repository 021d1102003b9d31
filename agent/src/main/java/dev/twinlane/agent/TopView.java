package dev.twinlane.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.twinlane.agent.StatusSnapshot.Meter;

/**
 * What `twinlane top` shows from the two newest distinct status readings: the screen, or one
 * logfmt line. Rates are differences of the agent's counters between the two readings' times,
 * so they are the agent's own figures, not sampled by top.
 */
final class TopView {
    static final List<String> LANES = List.of("security", "observability");
    private static final String LANE_RECORDS = "twinlane.lane.records";
    private static final String FSYNC = "twinlane.wal.fsync.latency";

    private final StatusSnapshot older;
    private final StatusSnapshot newest;

    /** {@code older} is null at the first reading: no rates yet. */
    TopView(StatusSnapshot older, StatusSnapshot newest) {
        this.older = older;
        this.newest = newest;
    }

    double records(String lane) {
        return newest.stat(LANE_RECORDS, "lane", lane, "count");
    }

    /** Records per second into {@code lane} between the two readings, NaN before the second. */
    double perSecond(String lane) {
        if (older == null) {
            return Double.NaN;
        }
        double seconds = (newest.at().toEpochMilli() - older.at().toEpochMilli()) / 1000.0;
        return (records(lane) - older.stat(LANE_RECORDS, "lane", lane, "count")) / seconds;
    }

    /** Mean fsync (group commit) latency of {@code log} between the readings, in ms; NaN when none ran. */
    double fsyncMeanMs(String log) {
        if (older == null) {
            return Double.NaN;
        }
        double n = newest.stat(FSYNC, "log", log, "count") - older.stat(FSYNC, "log", log, "count");
        double s = newest.stat(FSYNC, "log", log, "total_time") - older.stat(FSYNC, "log", log, "total_time");
        return n > 0 ? s * 1000 / n : Double.NaN;
    }

    double fsyncMaxMs(String log) {
        return newest.stat(FSYNC, "log", log, "max") * 1000;
    }

    double durableSeq(String log) {
        return newest.stat("twinlane.wal.durable.seq", "log", log, "value");
    }

    /** Drops by `hop reason ring`, only those not zero. */
    Map<String, Long> drops() {
        Map<String, Long> d = new TreeMap<>();
        for (Meter m : newest.named("twinlane.drops")) {
            long n = (long) m.stat("count");
            if (n != 0) {
                d.put(m.tag("hop") + " " + m.tag("reason") + " " + m.tag("ring"), n);
            }
        }
        return d;
    }

    /** Export lag per log, empty when the agent does not export. */
    Map<String, Long> exportLag() {
        Map<String, Long> lag = new TreeMap<>();
        for (Meter m : newest.named("twinlane.export.lag.records")) {
            lag.put(m.tag("log"), (long) m.stat("value"));
        }
        return lag;
    }

    List<Meter> hooks() {
        return newest.named("twinlane.hook.enforcing");
    }

    /** The screen: at most about 30 lines of at most 80 columns. */
    List<String> screen() {
        List<String> s = new ArrayList<>();
        s.add("twinlane top - agent pid " + newest.pid() + ", mode " + newest.mode() + ", status of " + newest.at()
                + "   (q quits)");
        s.add("");
        s.add(String.format("%-14s %12s %12s", "lane", "records", "records/s"));
        for (String lane : LANES) {
            s.add(String.format(Locale.ROOT, "%-14s %12s %12s", lane, whole(records(lane)), decimal(perSecond(lane))));
        }
        s.add("");
        s.add(String.format("%-14s %12s %14s %14s", "log", "durable seq", "fsync mean ms", "fsync max ms"));
        for (String log : LANES) {
            s.add(String.format(Locale.ROOT, "%-14s %12s %14s %14s", log, whole(durableSeq(log)),
                    millis(fsyncMeanMs(log)), millis(fsyncMaxMs(log))));
        }
        s.add("");
        Map<String, Long> drops = drops();
        s.add("drops: " + (drops.isEmpty() ? "none" : ""));
        drops.forEach((where, n) -> s.add(String.format("  %-50s %12d", where, n)));
        Map<String, Long> lag = exportLag();
        if (!lag.isEmpty()) {
            s.add("export lag (records not acknowledged by Kafka): " + join(lag));
        }
        s.add("");
        s.add(String.format("%-22s %-12s %-10s %s", "hook", "capability", "enforcing", "via"));
        for (Meter h : hooks()) {
            s.add(String.format("%-22s %-12s %-10s %s", h.tag("hook"), h.tag("capability"),
                    h.stat("value") == 1 ? "yes" : "no", h.tag("via")));
        }
        for (String p : newest.problems()) {
            s.add("problem: " + p);
        }
        return s;
    }

    /** One logfmt line, for a log file or a pipe. */
    String line() {
        StringBuilder b = new StringBuilder("time=" + newest.at());
        for (String lane : LANES) {
            b.append(' ').append(lane).append("_records=").append(whole(records(lane)));
            b.append(' ').append(lane).append("_per_s=").append(decimal(perSecond(lane)));
        }
        b.append(" drops=").append(drops().values().stream().mapToLong(Long::longValue).sum());
        for (String log : LANES) {
            b.append(' ').append(log).append("_durable_seq=").append(whole(durableSeq(log)));
            b.append(' ').append(log).append("_fsync_mean_ms=").append(millis(fsyncMeanMs(log)));
        }
        for (String capability : List.of("enforce", "audit_only", "unavailable")) {
            b.append(" hooks_").append(capability).append('=')
                    .append(hooks().stream().filter(h -> h.tag("capability").equals(capability)).count());
        }
        b.append(" hooks_enforcing=").append(hooks().stream().filter(h -> h.stat("value") == 1).count());
        exportLag().forEach((log, n) -> b.append(' ').append(log).append("_export_lag=").append(n));
        b.append(" problems=").append(newest.problems().size());
        return b.toString();
    }

    private static String whole(double v) {
        return Double.isNaN(v) ? "-" : String.valueOf((long) v);
    }

    private static String decimal(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String millis(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String join(Map<String, Long> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }
}
