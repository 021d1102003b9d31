package dev.twinlane.ingest;

import java.util.List;

import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.FileSystemResolver;
import dev.twinlane.policy.PolicyCompiler;
import dev.twinlane.policy.PolicyParser;
import dev.twinlane.policy.SurvivalList;

/** Policies for kernel tests, compiled by the policy module exactly as the agent would. */
final class Policies {
    private Policies() {
    }

    static CompiledPolicy compile(String yaml) {
        return new PolicyCompiler(new FileSystemResolver(), SurvivalList.of(SurvivalList.currentBinary(), List.of()))
                .compile(PolicyParser.parse(yaml, "test.yaml"), "test.yaml");
    }

    static CompiledPolicy enforce(long version, String rules) {
        return compile("version: " + version + "\nmode: enforce\n" + rules);
    }
}
