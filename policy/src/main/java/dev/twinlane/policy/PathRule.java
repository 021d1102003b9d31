package dev.twinlane.policy;

/** A rule naming a path (a file, a binary, a prefix, a cgroup directory) and where it was written. */
public record PathRule(String path, Where where) {
    /** How errors name it: "deny.exec '/usr/bin/nc' (line 9, column 7)". */
    public String describe(String list) {
        return list + " '" + path + "' (" + where + ")";
    }
}
