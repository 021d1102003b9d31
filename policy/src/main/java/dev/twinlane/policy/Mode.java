package dev.twinlane.policy;

/** What a matched deny rule does: audit records it and lets it through; enforce refuses it. */
public enum Mode {
    AUDIT(0), ENFORCE(1);

    private final int code;

    Mode(int code) {
        this.code = code;
    }

    /** enum tl_mode in twinlane_records.h. */
    public int code() {
        return code;
    }
}
