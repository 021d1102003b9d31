package dev.twinlane.sandbox;

/**
 * Seed 000's security levels, as what each adds to a profile (docs/SANDBOX.md has the mapping):
 * minimal is the profile as written; medium drops every capability and isolates user, mount and
 * network namespaces; maximum adds a pid namespace and logs every denial to the kernel's audit.
 */
public enum SecurityLevel {
    MINIMAL(""),
    MEDIUM("capabilities none\nnamespaces user mount net\n"),
    MAXIMUM(MEDIUM.lines + "namespaces pid\nlog denials\n");

    private final String lines;

    SecurityLevel(String lines) {
        this.lines = lines;
    }

    /** What the level adds, as profile lines reported under "--level NAME". */
    public ProfileSource source() {
        return new ProfileSource("--level " + name().toLowerCase(java.util.Locale.ROOT), lines);
    }
}
