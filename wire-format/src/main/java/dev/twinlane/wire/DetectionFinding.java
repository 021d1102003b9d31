package dev.twinlane.wire;

/**
 * An OCSF 1.8.0 Detection Finding (class 2004, activity Create) for one problem the SIEM consumer
 * found in a host's log: tampering, a chain break, records missing, events lost before the log
 * (see siem/README.md for the failures). {@code finding_info.types} is the failure's name, and
 * {@code unmapped.alert} says where it was found. Reuses its buffer: not thread-safe.
 */
public final class DetectionFinding {
    public static final int CLASS_UID = 2004;
    private final JsonOut out = new JsonOut(2048);

    /** Where the finding's evidence came from; null fields are left out. */
    public record Source(String topic, int partition, long offset) {
    }

    /** 1 Informational, 3 Medium or 4 High: losses and unclean restarts are not tampering. */
    public static int severityId(String failure) {
        switch (failure) {
            case "recovery": return 1;
            case "kernel-drop": case "lane-drop": case "missing": case "unreadable": case "new-log": return 3;
            default: return 4;
        }
    }

    /**
     * {@code seq} &lt; 0 when the problem is not one record's; {@code logId} and {@code host} may be
     * null (an unreadable message); {@code source} null when no message shows it (end of input).
     */
    public byte[] encode(long timeMillis, String logName, String host, String logId, long seq, String failure,
                         String detail, Source source) {
        int severity = severityId(failure);
        JsonOut o = out.reset();
        o.begin();
        o.name("class_uid").num(CLASS_UID).name("class_name").str("Detection Finding");
        o.name("category_uid").num(2).name("category_name").str("Findings");
        o.name("activity_id").num(1).name("activity_name").str("Create");
        o.name("type_uid").num(CLASS_UID * 100L + 1).name("type_name").str("Detection Finding: Create");
        o.name("time").num(timeMillis);
        o.name("severity_id").num(severity).name("severity").str(severity == 1 ? "Informational" : severity == 3 ? "Medium" : "High");
        o.name("status_id").num(1).name("status").str("New");
        o.name("is_alert").bool(severity > 1);
        o.name("message").str(detail);
        o.name("finding_info").begin();
        o.name("uid").str((logId == null ? "-" : logId) + ":" + seq + ":" + failure);
        o.name("title").str("twinlane security log: " + failure + (seq >= 0 ? " at seq " + seq : ""));
        o.name("desc").str(detail);
        o.name("types").beginArray().element().str(failure).endArray();
        o.end();
        Ocsf.device(o, host == null ? "" : host); // device is the Finding class's own attribute: no profile
        Ocsf.metadataStart(o, "twinlane-siem", logName);
        o.end();
        o.name("unmapped").begin().name("alert").begin();
        o.name("host").str(host == null ? "" : host);
        o.name("log_id").str(logId == null ? "" : logId);
        o.name("seq").num(seq);
        o.name("failure").str(failure);
        o.name("detail").str(detail);
        if (source != null) {
            o.name("topic").str(source.topic());
            o.name("partition").num(source.partition());
            o.name("offset").num(source.offset());
        }
        o.end().end();
        o.end();
        return o.toBytes();
    }
}
