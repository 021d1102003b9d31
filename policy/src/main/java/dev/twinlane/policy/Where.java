package dev.twinlane.policy;

/** A place in a policy file, both from 1, so an error names what the user sees in an editor. */
public record Where(int line, int column) {
    @Override
    public String toString() {
        return "line " + line + ", column " + column;
    }
}
