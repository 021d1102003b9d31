package dev.twinlane.sandbox;

/** A bad profile: one line, "FILE:LINE:COL: what is wrong". */
public final class ProfileException extends Exception {
    public ProfileException(String source, int line, int column, String problem) {
        super(source + ":" + line + ":" + column + ": " + problem);
    }
}
