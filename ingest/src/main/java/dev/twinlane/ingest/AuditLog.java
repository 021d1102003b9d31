package dev.twinlane.ingest;

import java.io.PrintStream;
import java.time.Instant;

/** Structured lines for every load, attach and detach of a BPF program (seed 002). */
public final class AuditLog {
    private final PrintStream out;

    public AuditLog(PrintStream out) {
        this.out = out;
    }

    public static AuditLog stderr() {
        return new AuditLog(System.err);
    }

    /** Pairs of key, value; values are quoted JSON strings unless numbers. */
    public synchronized void event(String event, Object... keyValues) {
        StringBuilder sb = new StringBuilder(160).append("{\"audit\":\"").append(event)
                .append("\",\"time\":\"").append(Instant.now()).append('"');
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            sb.append(",\"").append(keyValues[i]).append("\":");
            Object v = keyValues[i + 1];
            if (v instanceof Number) {
                sb.append(v);
            } else {
                Json.quote(sb, String.valueOf(v));
            }
        }
        out.println(sb.append('}'));
    }
}
