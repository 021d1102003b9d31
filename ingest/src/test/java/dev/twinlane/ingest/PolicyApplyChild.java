package dev.twinlane.ingest;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process applying a policy to pinned maps, for PolicyApplyTest to SIGKILL.
 * {@code PIN_DIR POLICY.yaml}: says "filled" between the fill and the switch and waits there.
 * {@code PIN_DIR POLICY.yaml race}: says "ready", applies at once, says "applied MILLIS" and
 * waits: the parent kills it at a random moment of that apply. {@code race-prepared}: the same,
 * the inactive slot emptied before "ready", as the agent's heartbeat empties it between applies.
 */
public final class PolicyApplyChild {
    private PolicyApplyChild() {
    }

    public static void main(String[] args) throws Exception {
        var policy = Policies.compile(Files.readString(Path.of(args[1])));
        boolean race = args.length > 2 && args[2].startsWith("race");
        try (PolicySlots slots = PolicySlots.pinned(PinDir.prepare(Path.of(args[0])))) {
            PolicyApplier applier = new PolicyApplier(slots);
            if (race) {
                if (args[2].equals("race-prepared")) {
                    applier.prepare();
                }
                say("ready");
                long start = System.nanoTime();
                applier.apply(policy);
                say(String.format("applied %.3f", (System.nanoTime() - start) / 1e6));
                sleep();
            } else {
                applier.apply(policy, () -> {
                    say("filled");
                    sleep();
                });
            }
        }
        System.out.println("done: the parent did not kill this process in time");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void sleep() {
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
