package dev.twinlane.router;

import dev.twinlane.records.RecordView;

/** Hooks on the router's record path. */
public final class Records {
    private Records() {
    }

    /** Sees every record before its lane does (e.g. `--print`); must not keep the view. */
    @FunctionalInterface
    public interface Tap {
        Tap NONE = r -> { };

        void accept(RecordView record);
    }
}
