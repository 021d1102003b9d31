package dev.twinlane.sandbox;

import java.util.Locale;

/** The namespaces the helper can put a workload in (unshare before anything else is applied). */
public enum Namespace {
    USER(CompiledProfile.NS_USER), MOUNT(CompiledProfile.NS_MOUNT), NET(CompiledProfile.NS_NET), PID(CompiledProfile.NS_PID);

    final int flag;

    Namespace(int flag) {
        this.flag = flag;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The namespace a profile or --ns names, or null. */
    public static Namespace named(String label) {
        for (Namespace ns : values()) {
            if (ns.label().equals(label)) {
                return ns;
            }
        }
        return null;
    }
}
