package dev.twinlane.policy;

import java.util.List;

/**
 * A parsed policy, before anything is resolved: what the user wrote, each rule with its place
 * in the file so that later checks (survival entries, missing files) can name it.
 */
public record PolicyFile(long version, Mode mode, List<PathRule> survival,
        List<PathRule> denyFiles, List<PathRule> denyPrefixes, List<PathRule> denyExec, List<NetRule> denyNetwork,
        List<PathRule> allowCgroups, List<PathRule> watchFiles, List<PathRule> watchPrefixes) {
    public PolicyFile {
        survival = List.copyOf(survival);
        denyFiles = List.copyOf(denyFiles);
        denyPrefixes = List.copyOf(denyPrefixes);
        denyExec = List.copyOf(denyExec);
        denyNetwork = List.copyOf(denyNetwork);
        allowCgroups = List.copyOf(allowCgroups);
        watchFiles = List.copyOf(watchFiles);
        watchPrefixes = List.copyOf(watchPrefixes);
    }
}
