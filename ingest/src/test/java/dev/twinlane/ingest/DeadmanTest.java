package dev.twinlane.ingest;

import static dev.twinlane.ingest.PolicyNet.assertConnects;
import static dev.twinlane.ingest.PolicyNet.assertRefused;
import static dev.twinlane.ingest.PolicyNet.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/**
 * The deadman switch on the host kernel: a policy enforced while the deadline is renewed, only
 * audited (and flagged) once it lapses, enforced again after a renewal. Needs root.
 */
class DeadmanTest {
    private static final int POLICY = 1;
    private static final int DEADMAN = 2;
    private static final int DEADMAN_FIRST = 4;

    @Test
    void aLapsedDeadlineTurnsDenialsIntoAuditedOnesAndTheFirstRecordSaysSo() throws Exception {
        Root.require();
        try (KernelIngest kernel = KernelIngest.start(new IngestConfig().syscallSampleRate(0)
                .audit(new AuditLog(new PrintStream(OutputStream.nullOutputStream()))));
                RecordCollector records = new RecordCollector(kernel);
                ServerSocket server = server("127.77.30.5")) {
            int port = server.getLocalPort();
            kernel.policyApplier().apply(Policies.enforce(1, "deny:\n  network:\n    - cidr: 127.77.30.0/24\n"));
            kernel.deadman().renew(Duration.ofMillis(400));
            assertRefused(server);
            Thread.sleep(600);
            assertConnects(server);  // lapsed: audit-only
            assertConnects(server);
            assertTrue(kernel.deadman().lapseSeen());
            List<RecordView> audited = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == port
                    && r.number("decision") == 2, 2);
            assertEquals(2, audited.size(), "both connects recorded as audit_deny");
            audited.forEach(r -> assertEquals(POLICY | DEADMAN, r.number("decision_flags") & (POLICY | DEADMAN)));
            // Exactly one decision since the lapse says it was the first: ours, or another process's connect or bind.
            List<RecordView> first = records.await(r -> (r.kind() == RecordKind.CONNECT || r.kind() == RecordKind.BIND)
                    && (r.number("decision_flags") & DEADMAN_FIRST) != 0, 2);
            assertEquals(1, first.size(), "one record carries TL_FLAG_DEADMAN_FIRST");

            kernel.deadman().renew(Duration.ofSeconds(30));
            assertFalse(kernel.deadman().lapseSeen());
            assertRefused(server);
            List<RecordView> denied = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == port
                    && r.number("decision") == 1, 2);
            assertEquals(2, denied.size(), "enforced before the lapse and again after the renewal");
            assertEquals(0, denied.get(1).number("decision_flags") & DEADMAN);
            kernel.deadman().disarm();
            assertEquals(0, kernel.deadman().deadlineNanos());
        }
    }
}
