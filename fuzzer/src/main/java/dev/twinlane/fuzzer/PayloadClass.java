package dev.twinlane.fuzzer;

import java.util.Locale;

/**
 * The threat classes the fuzzer writes payloads for, in the detector's order (a detection record's
 * threat_class is this ordinal + 1).
 */
public enum PayloadClass {
    COMMAND_INJECTION,
    SQL_INJECTION,
    PATH_TRAVERSAL,
    PROMPT_INJECTION,
    SOCIAL_ENGINEERING;

    /** The name used on the command line, in the table and in the JSON: command_injection, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The class for a label, or null. */
    public static PayloadClass ofLabel(String label) {
        for (PayloadClass c : values()) {
            if (c.label().equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** The 1-based code of a detection record's threat_class. */
    public int code() {
        return ordinal() + 1;
    }
}
