package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.util.List;

/**
 * One string delivered to the kernel: as the arguments of an exec (argv[1..]) or as a path opened
 * under the fuzzer's scratch directory. {@code threat} is null for the benign corpus; {@code how}
 * names the grammar or source and the mutations applied, for the report.
 */
public record Payload(int id, ThreatClass threat, Channel channel, List<String> argv, String path, String how) {
    public enum Channel {
        ARGV, FILE
    }

    public static Payload argv(int id, ThreatClass threat, List<String> argv, String how) {
        return new Payload(id, threat, Channel.ARGV, List.copyOf(argv), null, how);
    }

    public static Payload file(int id, ThreatClass threat, String path, String how) {
        return new Payload(id, threat, Channel.FILE, List.of(), path, how);
    }

    public boolean benign() {
        return threat == null;
    }

    /** The strings the kernel will record: the arguments, or the path. */
    public List<String> strings() {
        return channel == Channel.ARGV ? argv : List.of(path);
    }
}
