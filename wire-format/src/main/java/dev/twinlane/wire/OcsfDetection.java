package dev.twinlane.wire;

import dev.twinlane.records.DetectionField;
import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * A detection record (kind detection: the agent's detector found a planted payload in a string of
 * the record before it) as an OCSF Detection Finding (class 2004, activity Create): the threat
 * class is the finding's type, the rule's name its title, the normalised evidence its desc, the
 * subject's process its actor; the rule id, field and span are in unmapped (the OCSF analytic
 * object is not in the vendored schema). Linked to its subject by the log: same exec_id,
 * seq one less.
 */
final class OcsfDetection {
    private static final Field SUBJECT_KIND = RecordLayout.DETECTION.field("subject_kind");
    private static final Field FIELD = RecordLayout.DETECTION.field("field");
    private static final Field CLASS = RecordLayout.DETECTION.field("threat_class");
    private static final Field RULE_ID = RecordLayout.DETECTION.field("rule_id");
    private static final Field ARG_INDEX = RecordLayout.DETECTION.field("arg_index");
    private static final Field SPAN_START = RecordLayout.DETECTION.field("span_start");
    private static final Field SPAN_LEN = RecordLayout.DETECTION.field("span_len");
    private static final Field EVIDENCE_LEN = RecordLayout.DETECTION.field("evidence_len");
    private static final Field SUBJECT_RING = RecordLayout.DETECTION.field("subject_ring");
    private static final Field RULE = RecordLayout.DETECTION.field("rule");
    private static final Field EVIDENCE = RecordLayout.DETECTION.field("evidence");
    /** enum tl_threat_class, by code (the detector's ThreatClass labels). */
    private static final String[] CLASSES = {"0", "command_injection", "sql_injection", "path_traversal",
        "prompt_injection", "social_engineering"};
    /** Severity by class: what an agent acting on it could do (run, query, read, be steered, be lured). */
    private static final int[] SEVERITY = {3, 4, 4, 3, 4, 3};
    private static final String[] RINGS = {"security", "observability"};

    private OcsfDetection() {
    }

    static void finding(JsonOut o, RecordView r, long wall, String host, String logId, long seq) {
        int c = (int) r.number(CLASS);
        String threat = Ocsf.label(CLASSES, c);
        int severity = c >= 0 && c < SEVERITY.length ? SEVERITY[c] : 3;
        o.begin();
        o.name("class_uid").num(DetectionFinding.CLASS_UID).name("class_name").str("Detection Finding");
        o.name("category_uid").num(2).name("category_name").str("Findings");
        o.name("activity_id").num(1).name("activity_name").str("Create");
        o.name("type_uid").num(DetectionFinding.CLASS_UID * 100L + 1).name("type_name").str("Detection Finding: Create");
        o.name("time").num(Math.floorDiv(wall, 1_000_000L));
        o.name("severity_id").num(severity).name("severity").str(severity == 4 ? "High" : "Medium");
        o.name("status_id").num(1).name("status").str("New");
        o.name("is_alert").bool(true);
        o.name("finding_info").begin();
        o.name("uid").strNum(logId, seq);
        Ocsf.text(o.name("title"), r, RULE, false);
        Ocsf.text(o.name("desc"), r, EVIDENCE, false);
        o.name("types").beginArray().element().str(threat).endArray();
        o.end();
        Ocsf.metadata(o, logId, seq, "host");
        Ocsf.device(o, host);
        Ocsf.actor(o, r);
        unmapped(o, r);
        o.end();
    }

    private static void unmapped(JsonOut o, RecordView r) {
        Ocsf.unmappedStart(o, r, -1);
        RecordKind subject = RecordKind.of((int) r.number(SUBJECT_KIND));
        o.name("subject_kind").str(subject == null ? "unknown" : subject.label());
        DetectionField f = DetectionField.of((int) r.number(FIELD));
        o.name("field").str(f == null ? "unknown" : f.label());
        o.name("subject_ring").str(Ocsf.label(RINGS, (int) r.number(SUBJECT_RING)));
        o.name("rule_id").num(r.number(RULE_ID));
        o.name("arg_index").num(r.number(ARG_INDEX));
        o.name("span_start").num(r.number(SPAN_START));
        o.name("span_len").num(r.number(SPAN_LEN));
        o.name("evidence_len").num(r.number(EVIDENCE_LEN));
        o.end();
    }
}
