package dev.twinlane.wal;

import jnr.ffi.LibraryLoader;

/** kill(2) for tests: stop, continue and kill a child JVM at a moment of the test's choosing. */
public interface Signals {
    int SIGKILL = 9;
    int SIGCONT = 18;
    int SIGSTOP = 19;

    int kill(int pid, int sig);

    static Signals load() {
        return LibraryLoader.create(Signals.class).load("c");
    }
}
