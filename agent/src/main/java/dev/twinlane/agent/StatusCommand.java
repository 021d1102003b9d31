package dev.twinlane.agent;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Version;
import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;
import picocli.CommandLine.Command;

/**
 * `twinlane status`: the hooks of the running agent, or, when none runs, what
 * this kernel would give (a load, attach and detach of every program). Exit 1,
 * with one line per problem on stderr, when the running agent reports one: a log
 * that is unhealthy (e.g. appends fail on a full disk), a security lane whose
 * appends fail, losses in the loss journal that no GAP record names yet.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Which hooks enforce, which only audit, which are unavailable, and why: the running agent's"
                + " state (with its logs' health and records by kind), or a probe of this kernel when none runs."},
        footer = "Exit status: 0; 1 with one line per problem on stderr when a log is unhealthy, security appends"
                + " fail, the loss journal names events not yet logged, or sandbox denials are no longer read.")
final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Optional<String> live = StatusFile.readLive();
        if (live.isPresent()) {
            System.out.println("agent running, " + live.get());
            List<String> problems = StatusFile.problems(live.get());
            for (String p : problems) {
                System.err.println("twinlane status: " + p);
            }
            return problems.isEmpty() ? 0 : 1;
        }
        IngestConfig config = new IngestConfig().audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream())));
        try (KernelIngest kernel = KernelIngest.start(config)) {
            System.out.println("no agent running; probe of this kernel:");
            System.out.print(StatusFile.render(kernel.hooks(), config));
        }
        System.out.println(SandboxDenials.probe());
        return 0;
    }
}
