package dev.twinlane.records;

import java.util.Locale;

/** enum tl_denial_source (code = position + 1): which confinement refused a sandboxed workload's operation. */
public enum DenialSource {
    /** A seccomp filter's RET_ERRNO, logged by the kernel as AUDIT_SECCOMP (1326). */
    SECCOMP,
    /** A Landlock domain, logged by the kernel as AUDIT_LANDLOCK_ACCESS (1423). */
    LANDLOCK;

    private static final DenialSource[] BY_CODE = values();

    public int code() {
        return ordinal() + 1;
    }

    /** The name metrics, JSON and OCSF use: seccomp, landlock. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The source with this code, or null. */
    public static DenialSource of(int code) {
        return code >= 1 && code <= BY_CODE.length ? BY_CODE[code - 1] : null;
    }
}
