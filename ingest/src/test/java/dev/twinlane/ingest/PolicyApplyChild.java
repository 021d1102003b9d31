package dev.twinlane.ingest;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process applying a policy to pinned maps, which says "filled" between the fill and
 * the switch and then waits to be killed (PolicyApplyTest kills it there with SIGKILL).
 */
public final class PolicyApplyChild {
    private PolicyApplyChild() {
    }

    public static void main(String[] args) throws Exception {
        var policy = Policies.compile(Files.readString(Path.of(args[1])));
        try (PolicySlots slots = PolicySlots.pinned(PinDir.prepare(Path.of(args[0])))) {
            new PolicyApplier(slots).apply(policy, () -> {
                System.out.println("filled");
                System.out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        System.out.println("applied: the parent did not kill this process in time");
    }
}
