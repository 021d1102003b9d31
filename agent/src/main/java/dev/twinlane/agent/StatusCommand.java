package dev.twinlane.agent;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.Set;

import dev.twinlane.ingest.AuditLog;
import dev.twinlane.ingest.IngestConfig;
import dev.twinlane.ingest.KernelIngest;

/**
 * `twinlane status`: the hooks of the running agent, or, when none runs, what
 * this kernel would give (a load, attach and detach of every program).
 */
final class StatusCommand implements Command {
    public String name() {
        return "status";
    }

    public String summary() {
        return "which hooks enforce, which only audit, which are unavailable, and why";
    }

    public int run(String[] args) throws Exception {
        Options.parse(args, Set.of(), Set.of());
        Optional<String> live = StatusFile.readLive();
        if (live.isPresent()) {
            System.out.println("agent running, " + live.get());
            return 0;
        }
        IngestConfig config = new IngestConfig().audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream())));
        try (KernelIngest kernel = KernelIngest.start(config)) {
            System.out.println("no agent running; probe of this kernel:");
            System.out.print(StatusFile.render(kernel.hooks(), config));
        }
        return 0;
    }
}
