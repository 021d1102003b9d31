package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * The host kernel, for real: processes this test starts must show up as
 * records with the right fields, and a cgroup connect4 program must really
 * refuse a denied port. Needs root; CI runs as root.
 */
class KernelIngestTest {
    private static final ByteArrayOutputStream AUDIT = new ByteArrayOutputStream();
    private static KernelIngest kernel;
    private static RecordCollector records;
    private static Path dir;

    @BeforeAll
    static void start() throws IOException {
        Root.require();
        dir = Files.createTempDirectory("twinlane-ingest-");
        kernel = KernelIngest.start(new IngestConfig()
                .syscallSampleRate(1)
                .openTracepoint(true)
                .audit(new AuditLog(new PrintStream(AUDIT, true))));
        kernel.policy().watchPrefix(dir.toString() + "/");
        records = new RecordCollector(kernel);
    }

    @AfterAll
    static void stop() throws Exception {
        if (records != null) {
            records.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    private static Process run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        return p;
    }

    private static String execId(RecordView r) {
        return r.number("tgid") + ":" + r.number("start_ns");
    }

    @Test
    void anExecWithItsArgvAndTheSameExecIdOnEveryRecordOfTheProcess() throws Exception {
        String marker = "twinlane-" + UUID.randomUUID();
        Path file = Files.writeString(dir.resolve(marker), "watched\n");
        Process p = run("/bin/sh", "-c", "cat " + file + " > /dev/null; exit 7", marker);
        long pid = p.pid();

        List<RecordView> exec = records.await(r -> r.kind() == RecordKind.EXEC && r.number("tgid") == pid
                && r.text("filename").endsWith("/sh"), 1);
        assertEquals(1, exec.size(), "one exec record of /bin/sh for pid " + pid);
        RecordView e = exec.get(0);
        String args = RecordJson.render(e);
        assertTrue(args.contains("\"args\":[\"/bin/sh\",\"-c\",\"cat " + file + " > /dev/null; exit 7\",\"" + marker + "\"]"),
                args);
        assertEquals(4, e.number("argc"));
        assertEquals("sh", e.text("comm"));
        assertEquals(ProcessHandle.current().pid(), e.number("ptgid"), "the JVM is the parent");

        List<RecordView> exit = records.await(r -> r.kind() == RecordKind.EXIT && r.number("tgid") == pid, 1);
        assertEquals(1, exit.size(), "one exit record for the whole thread group");
        assertEquals(7 << 8, exit.get(0).number("exit_code"));
        assertEquals(execId(e), execId(exit.get(0)));

        List<RecordView> fork = records.await(r -> r.kind() == RecordKind.FORK && r.number("child_tgid") == pid, 1);
        assertEquals(1, fork.size(), "the JVM's fork of the child");
        assertEquals(e.number("start_ns"), fork.get(0).number("child_start_ns"), "fork names the child's exec_id");
        assertEquals(ProcessHandle.current().pid(), fork.get(0).number("tgid"));

        // cat is a child of sh: its open of the watched file carries cat's own exec_id, whose parent is sh.
        List<RecordView> open = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                && r.text("path").equals(file.toString()) && r.text("comm").equals("cat"), 1);
        assertEquals(1, open.size(), "cat's open of the watched file");
        RecordView o = open.get(0);
        assertEquals(execId(e), o.number("ptgid") + ":" + o.number("parent_start_ns"));
        List<RecordView> catExec = records.await(r -> r.kind() == RecordKind.EXEC && execId(r).equals(execId(o)), 1);
        assertEquals(1, catExec.size(), "cat's exec record has the exec_id of its open");
    }

    @Test
    void unwatchedOpensAreNotSecurityRecords() throws Exception {
        Path other = Files.createTempFile("twinlane-unwatched-", ".txt");
        Process p = run("/bin/cat", other.toString());
        records.await(r -> r.kind() == RecordKind.EXIT && r.number("tgid") == p.pid(), 1);
        assertTrue(records.matching(r -> r.kind() == RecordKind.FILE_OPEN && r.text("path").equals(other.toString()))
                .isEmpty());
    }

    @Test
    void opensThroughTheOldOpenAndCreatSystemCallsAreRecordedToo() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "open(2) and creat(2) numbers of x86_64");
        Path opened = Files.writeString(dir.resolve("via-open"), "x");
        Path created = dir.resolve("via-creat");
        // perl's syscall() is the raw system call: no libc wrapper turns open into openat
        Process p = run("perl", "-e", "syscall(2, $ARGV[0], 0) >= 0 && syscall(85, $ARGV[1], 0644) >= 0 or exit 1",
                opened.toString(), created.toString());
        assertEquals(0, p.exitValue(), "perl's open and creat system calls");
        List<RecordView> open = records.await(r -> r.kind() == RecordKind.FILE_OPEN && r.number("tgid") == p.pid()
                && r.text("path").equals(opened.toString()), 1);
        List<RecordView> creat = records.await(r -> r.kind() == RecordKind.FILE_OPEN && r.number("tgid") == p.pid()
                && r.text("path").equals(created.toString()), 1);
        assertEquals(1, open.size(), "open(2)");
        assertEquals(1, creat.size(), "creat(2)");
        assertEquals(01101, creat.get(0).number("flags"), "creat is O_CREAT|O_WRONLY|O_TRUNC");
    }

    @Test
    void aShortPathAfterALongOneCarriesNoByteOfIt() throws Exception {
        // The path is read into a per-CPU buffer that every open on the system reuses: each record
        // ends with its own path (trimmed: its NUL, rounded up to 8 bytes, all zero), whatever
        // longer path the buffer held before.
        Path longer = Files.writeString(dir.resolve("l".repeat(200)), "x");
        Path shorter = Files.writeString(dir.resolve("s"), "x");
        for (int i = 0; i < 20; i++) {
            Files.readAllBytes(longer);
            Files.readAllBytes(shorter);
        }
        List<RecordView> opens = records.await(r -> r.kind() == RecordKind.FILE_OPEN
                && r.text("path").equals(shorter.toString()), 21);
        assertEquals(21, opens.size(), "the write that made the file, and 20 reads");
        Field path = RecordLayout.FILE_OPEN.field("path");
        int trimmed = path.offset() + ((shorter.toString().length() + 1 + 7) & ~7);
        for (RecordView r : opens) {
            assertEquals(trimmed, r.length(), "the record ends with its path, rounded up to 8 bytes");
            assertEquals(RecordView.OK, r.check());
            int len = (int) r.number("path_len");
            byte[] tail = r.bytes(path.offset() + len, r.length() - path.offset() - len);
            assertTrue(java.util.Arrays.equals(tail, new byte[tail.length]),
                    "bytes after the path's NUL are zero: " + new String(tail, java.nio.charset.StandardCharsets.ISO_8859_1).trim());
        }
    }

    @Test
    void aConnectToALoopbackPortIsRecordedWithItsAddressAndTcpStates() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket s = new Socket()) {
            int port = server.getLocalPort();
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            List<RecordView> c = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == port, 1);
            assertEquals(1, c.size());
            String json = RecordJson.render(c.get(0));
            assertTrue(json.contains("\"daddr\":\"127.0.0.1\""), json);
            assertTrue(json.contains("\"decision\":\"allow\""), json);
            assertEquals(ProcessHandle.current().pid(), c.get(0).number("tgid"));
            List<RecordView> tcp = records.await(r -> r.kind() == RecordKind.TCP_STATE
                    && (r.number("dport") == port || r.number("sport") == port), 2);
            assertTrue(tcp.size() >= 2, "SYN_SENT and ESTABLISHED transitions at least: " + tcp.size());
        }
    }

    @Test
    void syscallSamplesCarryLatency() throws Exception {
        Process p = run("/bin/true");
        List<RecordView> s = records.await(r -> r.kind() == RecordKind.SYSCALL && r.number("tgid") == p.pid(), 3);
        assertTrue(s.size() >= 3, "with a sample rate of 1, /bin/true makes several syscalls: " + s.size());
        assertTrue(s.stream().allMatch(r -> r.number("latency_ns") > 0));
        // the number sys_enter kept for sys_exit: syscall numbers, not all 0 (read), whichever calls came first
        java.util.Set<Long> nrs = new java.util.HashSet<>();
        s.forEach(r -> nrs.add(r.number("nr")));
        assertTrue(nrs.stream().allMatch(nr -> nr >= 0 && nr < 512), "x86_64 syscall numbers: " + nrs);
        assertTrue(nrs.stream().anyMatch(nr -> nr != 0), "not every sample is read (0): " + nrs);
    }

    @Test
    void theCgroupConnectProgramRefusesADeniedPortAndRecordsTheDenial() throws Exception {
        HookStatus connect = kernel.hooks().stream().filter(h -> h.hook().equals("socket_connect")).findFirst().get();
        assertEquals(HookStatus.Capability.ENFORCE, connect.capability(), connect.describe());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            kernel.policy().denyPort(port);
            try (Socket s = new Socket()) {
                SocketException e = assertThrows(SocketException.class,
                        () -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000));
                assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
            } finally {
                kernel.policy().allowPort(port);
            }
            List<RecordView> denied = records.await(r -> r.kind() == RecordKind.CONNECT && r.number("dport") == port
                    && r.number("decision") == 1, 1);
            assertEquals(1, denied.size(), "a deny record");
            assertEquals(-1, denied.get(0).number("ret"));
            assertTrue(RecordJson.render(denied.get(0)).contains("\"source\":\"cgroup\""));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                assertTrue(s.isConnected(), "allowed again once the rule is gone");
            }
        }
    }

    @Test
    void aDeniedIpv4AddressIsRefusedAlsoThroughADualStackSocket() throws Exception {
        InetAddress denied = InetAddress.getByName("127.0.0.3");
        try (ServerSocket server = new ServerSocket(0, 1, denied)) {
            int port = server.getLocalPort();
            kernel.policy().denyAddress(denied);
            // Java's sockets are IPv6 dual-stack: the kernel sees ::ffff:127.0.0.3 in connect6.
            try (Socket s = new Socket()) {
                SocketException e = assertThrows(SocketException.class,
                        () -> s.connect(new InetSocketAddress(denied, port), 2000));
                assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
            }
            List<RecordView> r = records.await(x -> x.kind() == RecordKind.CONNECT && x.number("dport") == port
                    && x.number("decision") == 1, 1);
            assertEquals(1, r.size(), "the denial is recorded");
        }
    }

    @Test
    void metricsCountRecordsPerRing() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        IngestMetrics.bind(kernel, registry);
        run("/bin/true");
        records.await(r -> r.kind() == RecordKind.EXEC && r.text("filename").equals("/bin/true"), 1);
        double security = registry.get("twinlane.ingest.records").tag("ring", "security").functionCounter().count();
        assertTrue(security >= 1, "security records counted: " + security);
        assertEquals(0.0, registry.get("twinlane.drops").tag("ring", "security").tag("hop", "reader")
                .functionCounter().count());
        registry.get("twinlane.drops").tag("ring", "security").tag("hop", "kernel").functionCounter().count();
    }

    @Test
    void everyLoadAndAttachIsAnAuditLine() {
        String audit = AUDIT.toString();
        assertTrue(audit.contains("\"audit\":\"load\",") && audit.contains("\"object\":\"observability.bpf.o\""), audit);
        assertTrue(audit.contains("\"audit\":\"attach\"") && audit.contains("\"program\":\"tl_exec\""), audit);
        assertFalse(kernel.hooks().isEmpty());
    }
}
