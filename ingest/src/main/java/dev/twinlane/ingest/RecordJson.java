package dev.twinlane.ingest;

import java.net.InetAddress;
import java.net.UnknownHostException;

import dev.twinlane.records.DenialSource;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/**
 * Renders a record as one JSON object, kind first, fields named as in
 * twinlane_records.h, plus exec_id and parent_exec_id ("tgid:start_ns").
 * For people and tools, not for the hot path.
 */
public final class RecordJson {
    private static final String[] SOURCES = {"unknown", "lsm", "tracepoint", "cgroup", "test_run", "user"};
    private static final String[] POLICY_EVENTS = {"none", "apply", "refusal", "rollback", "mode_change",
        "deadman_lapse", "break_glass", "revert", "tamper"};
    private static final String[] DECISIONS = {"allow", "deny", "audit_deny"};
    private static final String[] PATH_STATUS = {"full", "unknown", "name_only"};
    /** enum tl_threat_class (the detector's ThreatClass labels, 1-based). */
    private static final String[] THREAT_CLASSES = {"none", "command_injection", "sql_injection", "path_traversal",
        "prompt_injection", "social_engineering"};

    private RecordJson() {
    }

    public static String render(RecordView r) {
        StringBuilder sb = new StringBuilder(512);
        RecordKind kind = r.kind();
        sb.append("{\"kind\":\"").append(kind.label()).append('"');
        if (kind.ring() != null) {
            sb.append(",\"ring\":\"").append(kind.ring().label()).append('"');
        }
        if (kind.layout().fields().contains(RecordLayout.HEADER.field("tgid"))) {
            sb.append(",\"exec_id\":\"").append(r.u32(32)).append(':').append(Long.toUnsignedString(r.s64(16)))
                    .append("\",\"parent_exec_id\":\"").append(r.u32(40)).append(':')
                    .append(Long.toUnsignedString(r.s64(24))).append('"');
        }
        for (Field f : kind.layout().fields()) {
            if (f.name().equals("kind")) {
                continue;
            }
            sb.append(",\"").append(f.name()).append("\":");
            value(sb, r, kind, f);
        }
        return sb.append('}').toString();
    }

    private static void value(StringBuilder sb, RecordView r, RecordKind kind, Field f) {
        switch (f.type()) {
            case CHARS -> Json.quote(sb, r.text(f));
            case STRINGS -> strings(sb, r, kind, f);
            case IP -> Json.quote(sb, ip(r, kind, f));
            case BYTES -> sb.append(f.size());
            case U64 -> sb.append(Long.toUnsignedString(r.number(f)));
            case U8 -> {
                long v = r.number(f);
                if (f.name().equals("source")) {
                    Json.quote(sb, v < SOURCES.length ? SOURCES[(int) v] : String.valueOf(v));
                } else if (f.name().equals("decision")) {
                    Json.quote(sb, v < DECISIONS.length ? DECISIONS[(int) v] : String.valueOf(v));
                } else if (f.name().equals("event") && kind == RecordKind.POLICY) {
                    Json.quote(sb, v < POLICY_EVENTS.length ? POLICY_EVENTS[(int) v] : String.valueOf(v));
                } else if (kind == RecordKind.DETECTION && f.name().equals("threat_class")) {
                    Json.quote(sb, v < THREAT_CLASSES.length ? THREAT_CLASSES[(int) v] : String.valueOf(v));
                } else if (kind == RecordKind.DETECTION && f.name().equals("field")) {
                    DetectionField d = DetectionField.of((int) v);
                    Json.quote(sb, d == null ? String.valueOf(v) : d.label());
                } else if (kind == RecordKind.DETECTION && f.name().equals("subject_ring")) {
                    Json.quote(sb, v < Ring.values().length ? Ring.values()[(int) v].label() : String.valueOf(v));
                } else if (kind == RecordKind.SANDBOX_DENIAL && f.name().equals("denial_source")) {
                    DenialSource d = DenialSource.of((int) v);
                    Json.quote(sb, d == null ? String.valueOf(v) : d.label());
                } else if (f.name().equals("path_status")) {
                    Json.quote(sb, v < PATH_STATUS.length ? PATH_STATUS[(int) v] : String.valueOf(v));
                } else {
                    sb.append(v);
                }
            }
            case U16 -> {
                RecordKind subject = kind == RecordKind.DETECTION && f.name().equals("subject_kind")
                        ? RecordKind.of((int) r.number(f)) : null;
                if (subject != null) {
                    Json.quote(sb, subject.label());
                } else {
                    sb.append(r.number(f));
                }
            }
            default -> sb.append(r.number(f));
        }
    }

    /** argv: NUL-separated, as many as the record holds. */
    private static void strings(StringBuilder sb, RecordView r, RecordKind kind, Field f) {
        long held = Math.min(r.number(kind.layout().field(f.name() + "_len")), f.size());
        byte[] b = r.bytes(f.offset(), (int) held);
        sb.append('[');
        int start = 0;
        boolean first = true;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == 0) {
                if (i > start || (i < b.length)) {
                    if (!first) {
                        sb.append(',');
                    }
                    Json.quote(sb, new String(b, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                    first = false;
                }
                start = i + 1;
            }
        }
        sb.append(']');
    }

    private static String ip(RecordView r, RecordKind kind, Field f) {
        int family = (int) r.number(kind.layout().field("family"));
        byte[] b = r.bytes(f.offset(), family == 10 ? 16 : 4);
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            return "";
        }
    }
}
