package dev.twinlane.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One kernel audit record's text, {@code audit(SECONDS.MILLIS:SERIAL): key=value ...}, parsed.
 * Values are bare, double-quoted, or (strings the kernel does not trust, such as a path with a
 * space or a quote) hex-encoded without quotes; {@link #text} undoes the hex for those keys.
 */
public record AuditMessage(int type, long timeMillis, long serial, Map<String, String> fields) {
    /** Keys whose values the kernel logs with audit_log_untrustedstring (quoted or hex). */
    private static final java.util.Set<String> UNTRUSTED = java.util.Set.of("comm", "exe", "path", "name");

    /** Parses one record; throws IllegalArgumentException (one line) when it is not one. */
    public static AuditMessage parse(int type, String text) {
        if (!text.startsWith("audit(")) {
            throw new IllegalArgumentException("no audit(...) prefix");
        }
        int colon = text.indexOf(':');
        int close = text.indexOf("):");
        int dot = text.indexOf('.');
        if (dot < 0 || colon < dot || close < colon) {
            throw new IllegalArgumentException("no time and serial in the audit(...) prefix");
        }
        try {
            long millis = Long.parseLong(text.substring(6, dot)) * 1000 + Long.parseLong(text.substring(dot + 1, colon));
            long serial = Long.parseLong(text.substring(colon + 1, close));
            return new AuditMessage(type, millis, serial, fields(text, close + 2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a bad time or serial in the audit(...) prefix");
        }
    }

    private static Map<String, String> fields(String text, int from) {
        Map<String, String> out = new HashMap<>();
        int i = from;
        int n = text.length();
        while (i < n) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = text.substring(i, eq);
            int end;
            String value;
            if (eq + 1 < n && text.charAt(eq + 1) == '"') {
                end = text.indexOf('"', eq + 2);
                end = end < 0 ? n : end;
                value = text.substring(eq + 2, end);
                end++;
            } else {
                end = text.indexOf(' ', eq + 1);
                end = end < 0 ? n : end;
                value = text.substring(eq + 1, end);
                if (UNTRUSTED.contains(key)) {
                    value = unhex(value);
                }
            }
            out.putIfAbsent(key, value);
            i = end;
        }
        return out;
    }

    /** A bare untrusted value is hex unless it is "(null)" or "?"; left as it is when it is not hex. */
    private static String unhex(String v) {
        if (v.length() % 2 != 0 || v.isEmpty() || !v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return v;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(v.length() / 2);
        for (int k = 0; k < v.length(); k += 2) {
            b.write(Integer.parseInt(v, k, k + 2, 16));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The value of {@code key}, or "". */
    public String text(String key) {
        return fields.getOrDefault(key, "");
    }

    /** The bare hex value of {@code key} (Landlock's domain ids), or 0. */
    public long hex(String key) {
        try {
            return Long.parseUnsignedLong(text(key), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The decimal (or 0x hex) value of {@code key}, or {@code otherwise} when it is absent or not a number. */
    public long number(String key, long otherwise) {
        String v = fields.get(key);
        if (v == null) {
            return otherwise;
        }
        try {
            return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
