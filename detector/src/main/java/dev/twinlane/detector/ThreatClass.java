package dev.twinlane.detector;

import java.util.Locale;

/** What a payload tries to do. The order is the record's 1-based threat_class (enum tl_threat_class). */
public enum ThreatClass {
    COMMAND_INJECTION,
    SQL_INJECTION,
    PATH_TRAVERSAL,
    /** Text addressed to an LLM-driven agent, to override its instructions (cognitive injection). */
    PROMPT_INJECTION,
    /** Urgency or authority plus an instruction to run a command or hand over credentials. */
    SOCIAL_ENGINEERING;

    private static final ThreatClass[] BY_CODE = values();
    private final String label = name().toLowerCase(Locale.ROOT);

    /** The record's threat_class: 1-based. */
    public int code() {
        return ordinal() + 1;
    }

    /** Lower case, as in rules files and metrics tags. */
    public String label() {
        return label;
    }

    /** The class with this 1-based code, or null. */
    public static ThreatClass of(int code) {
        return code >= 1 && code <= BY_CODE.length ? BY_CODE[code - 1] : null;
    }

    /** The class with this label (case-insensitive), or null. */
    public static ThreatClass ofLabel(String label) {
        for (ThreatClass c : BY_CODE) {
            if (c.label.equalsIgnoreCase(label)) {
                return c;
            }
        }
        return null;
    }
}
