package dev.twinlane.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one process),
 * run from Kafka's own jars in a JVM of its own, on 127.0.0.1.
 *
 * <p>The data directory holds everything: {@code server.properties} (written on first start, the
 * controller port fixed from then on), {@code log4j2.properties}, {@code broker.log} (the child's
 * output, appended) and {@code kafka-logs/} (formatted on first start). The child exits when this
 * JVM does, even on SIGKILL: it watches its standard input, which only this JVM holds.
 *
 * <p>Guards from docs/facts: never two brokers on one directory (a second one corrupts the
 * metadata log before failing on the port), so start refuses a directory whose recorded broker is
 * alive and ports that are taken.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The line Kafka prints once the broker serves clients. */
    static final String STARTED = "Kafka Server started";
    private static final String CLASSPATH_RESOURCE = "broker.classpath";

    private final Settings settings;
    private final Path dataDir;
    private final int controllerPort;
    private Process process;
    private volatile boolean stopping;

    /** Start settings; {@link #port} 0 picks a free loopback port. */
    public static final class Settings {
        int port;
        Path dataDir;
        int heapMb = 256;
        Duration startTimeout = Duration.ofSeconds(120);
        PrintStream echo;
        boolean plaintext = true;
        Path tlsDir;
        int tlsPort;
        String scramUser;
        Path scramPasswordFile;
        final Map<String, String> overrides = new LinkedHashMap<>();

        public Settings port(int p) {
            this.port = p;
            return this;
        }

        public Settings dataDir(Path d) {
            this.dataDir = d;
            return this;
        }

        public Settings heapMb(int mb) {
            this.heapMb = mb;
            return this;
        }

        public Settings startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        /** Also copies the broker's output here (the foreground command). */
        public Settings echo(PrintStream out) {
            this.echo = out;
            return this;
        }

        /**
         * Also (or, without {@link #plaintext}, only) a SASL_SSL listener on {@code tlsPort} (0: a free
         * one): TLS with the CA and certificate of {@code dir} ({@link BrokerTls}, made on first use)
         * and SCRAM-SHA-512 for {@code user}, whose password is read from {@code passwordFile} when the
         * storage is formatted (it is fixed from then on).
         */
        public Settings saslSsl(Path dir, int tlsPort, String user, Path passwordFile) {
            this.tlsDir = dir;
            this.tlsPort = tlsPort;
            this.scramUser = user;
            this.scramPasswordFile = passwordFile;
            return this;
        }

        /** false: no PLAINTEXT listener for clients (needs {@link #saslSsl}). */
        public Settings plaintext(boolean on) {
            this.plaintext = on;
            return this;
        }

        /** A server property of one's own, e.g. {@code log.retention.ms}. */
        public Settings property(String key, String value) {
            overrides.put(key, value);
            return this;
        }
    }

    private KafkaBroker(Settings s, int controllerPort) {
        this.settings = s;
        this.dataDir = s.dataDir.toAbsolutePath();
        this.controllerPort = controllerPort;
    }

    /** Starts a broker and returns once it serves clients. */
    public static KafkaBroker start(Settings s) throws IOException, InterruptedException {
        if (s.dataDir == null) {
            throw new IllegalArgumentException("a data directory is required");
        }
        Path dir = s.dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        if (!s.plaintext && s.tlsDir == null) {
            throw new IllegalArgumentException("without a plaintext listener a SASL_SSL one is required");
        }
        if (s.plaintext && s.port == 0) {
            s.port = freePort();
        }
        if (s.tlsDir != null) {
            BrokerScram.checkUser(s.scramUser);
            BrokerTls.ensure(s.tlsDir.toAbsolutePath());
            while (s.tlsPort == 0 || s.tlsPort == s.port) {
                s.tlsPort = freePort();
            }
        }
        Path portFile = dir.resolve("controller.port");
        int controller;
        if (Files.exists(portFile)) {
            controller = Integer.parseInt(Files.readString(portFile).trim());
        } else if (Files.exists(dir.resolve("kafka-logs"))) {
            throw new IOException(dir + " holds Kafka data but no controller.port: not a twinlane broker directory");
        } else {
            controller = freePort();
            while (controller == s.port || controller == s.tlsPort) {
                controller = freePort();
            }
            Files.writeString(portFile, controller + "\n");
        }
        KafkaBroker b = new KafkaBroker(s, controller);
        b.launch();
        return b;
    }

    /** Starts the broker again on the same directory and ports, e.g. after {@link #kill()}. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            throw new IllegalStateException("the broker is still running (pid " + process.pid() + ")");
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        refuseIfInUse();
        writeConfig();
        Path kafkaLogs = dataDir.resolve("kafka-logs");
        if (!Files.exists(kafkaLogs.resolve("meta.properties"))) {
            format();
        } else if (settings.tlsDir != null) {
            BrokerScram.checkFormatted(dataDir, settings.scramUser);
        }
        List<String> cmd = javaCommand(List.of("-Xms" + settings.heapMb + "m", "-Xmx" + settings.heapMb + "m",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true"),
                BrokerMain.class.getName(), List.of(dataDir.resolve("server.properties").toString()), dataDir);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dataDir.toFile());
        stopping = false;
        process = pb.start();
        Files.writeString(dataDir.resolve("broker.pid"), process.pid() + "\n");
        CountDownLatch started = new CountDownLatch(1);
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> pump(process.getInputStream(), started, tail), "kafka-broker-output");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + settings.startTimeout.toNanos();
        while (!started.await(100, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive()) {
                pump.join(2000);
                throw new IOException("the Kafka broker exited with status " + process.exitValue()
                        + " before it started; last lines of " + dataDir.resolve("broker.log") + ":\n" + lines(tail));
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IOException("the Kafka broker did not start within " + settings.startTimeout.toSeconds()
                        + " s; last lines of " + dataDir.resolve("broker.log") + ":\n" + lines(tail));
            }
        }
    }

    private static String lines(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    /** Copies the child's output to broker.log (and the echo stream), watching for the start line. */
    private void pump(InputStream in, CountDownLatch started, Deque<String> tail) {
        try (OutputStream log = Files.newOutputStream(dataDir.resolve("broker.log"), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            StringBuilder line = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                log.write(buf, 0, n);
                log.flush();
                if (settings.echo != null) {
                    settings.echo.write(buf, 0, n);
                    settings.echo.flush();
                }
                for (int i = 0; i < n; i++) {
                    char c = (char) (buf[i] & 0xFF);
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    synchronized (tail) {
                        tail.addLast(l);
                        if (tail.size() > 30) {
                            tail.removeFirst();
                        }
                    }
                    if (l.contains(STARTED)) {
                        started.countDown();
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone; launch() notices
        }
    }

    private void refuseIfInUse() throws IOException {
        Path pidFile = dataDir.resolve("broker.pid");
        if (Files.exists(pidFile)) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                Path cmdline = Path.of("/proc", String.valueOf(pid), "cmdline");
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && Files.exists(cmdline)
                        && new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8)
                        .contains(BrokerMain.class.getName())) {
                    throw new IOException("a Kafka broker (pid " + pid + ") already runs on " + dataDir
                            + "; a second one would corrupt its metadata log");
                }
            } catch (NumberFormatException e) {
                // a stale or broken pid file: nobody uses it
            }
        }
        for (int p : new int[] {settings.port, settings.tlsPort, controllerPort}) {
            if (p != 0 && !portFree(p)) {
                throw new IOException("port " + p + " on 127.0.0.1 is in use; is another broker running there?");
            }
        }
    }

    private void writeConfig() throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        List<String> listeners = new ArrayList<>();
        if (settings.plaintext) {
            listeners.add("PLAINTEXT://127.0.0.1:" + settings.port);
        }
        if (settings.tlsDir != null) {
            listeners.add("SASL_SSL://127.0.0.1:" + settings.tlsPort);
        }
        listeners.add("CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", String.join(",", listeners));
        p.put("advertised.listeners", String.join(",", listeners));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", settings.plaintext ? "PLAINTEXT" : "SASL_SSL");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        if (settings.tlsDir != null) {
            p.putAll(BrokerScram.saslSslProperties(dataDir, settings.tlsDir.toAbsolutePath()));
        }
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("log.dirs", dataDir.resolve("kafka-logs").toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A broker killed with SIGKILL can register again after ~1.5 s instead of ~14 s.
        p.put("broker.heartbeat.interval.ms", "300");
        p.put("broker.session.timeout.ms", "1500");
        p.putAll(settings.overrides);
        StringBuilder sb = new StringBuilder("# written by twinlane's broker launcher; the controller port is fixed at format time\n");
        p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        BrokerScram.writePrivate(dataDir.resolve("server.properties"), sb.toString()); // may name the broker's own password
        Files.writeString(dataDir.resolve("log4j2.properties"), String.join("\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = warn",
                "rootLogger.appenderRef.out.ref = out",
                "logger.raft.name = kafka.server.KafkaRaftServer",
                "logger.raft.level = info",
                "logger.state.name = kafka.server.BrokerServer",
                "logger.state.level = info",
                ""));
    }

    private void format() throws IOException, InterruptedException {
        String clusterId;
        do { // as Kafka's Uuid.randomUuid(): never one starting with '-', which the tool would take for an option
            byte[] uuid = new byte[16];
            new SecureRandom().nextBytes(uuid);
            uuid[6] = (byte) ((uuid[6] & 0x0f) | 0x40);
            uuid[8] = (byte) ((uuid[8] & 0x3f) | 0x80);
            clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuid);
        } while (clusterId.startsWith("-"));
        List<String> scram = settings.tlsDir == null ? List.of()
                : BrokerScram.formatUsers(dataDir, settings.scramUser, settings.scramPasswordFile);
        List<String> cmd = javaCommand(List.of("-Xmx128m"), FormatMain.class.getName(),
                List.of("format", "-t", clusterId, "-c", dataDir.resolve("server.properties").toString(), "--standalone"),
                dataDir);
        Path out = dataDir.resolve("format.log");
        BrokerScram.writePrivate(out, ""); // the tool prints the SCRAM users' stored keys
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (OutputStream in = p.getOutputStream()) { // SCRAM users on stdin: passwords never on a command line
            for (String entry : scram) {
                in.write((entry + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done || p.exitValue() != 0) {
            p.destroyForcibly();
            List<String> lines = Files.readAllLines(out);
            throw new IOException("formatting " + dataDir.resolve("kafka-logs") + " failed ("
                    + (done ? "status " + p.exitValue() : "timed out") + "): "
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
    }

    /** 127.0.0.1:port of the PLAINTEXT listener (of the SASL_SSL one when there is no plaintext listener). */
    public String bootstrap() {
        return settings.plaintext ? "127.0.0.1:" + settings.port : saslSslBootstrap();
    }

    public int port() {
        return settings.port;
    }

    /** 127.0.0.1:port of the SASL_SSL listener (TLS + SCRAM-SHA-512); null without one. */
    public String saslSslBootstrap() {
        return settings.tlsDir == null ? null : "127.0.0.1:" + settings.tlsPort;
    }

    /** The CA certificate (PEM) that clients of the SASL_SSL listener trust; null without one. */
    public Path caFile() {
        return settings.tlsDir == null ? null : settings.tlsDir.toAbsolutePath().resolve(BrokerTls.CA);
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash would; returns once the process is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            stopping = true;
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM (a controlled shutdown), SIGKILL after 30 s. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stopping = true;
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /** Waits until the broker process ends (the foreground command); its exit status. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    boolean stopping() {
        return stopping;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** A free TCP port on 127.0.0.1 (free now; the caller binds it soon after). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The command line of a JVM running {@code mainClass} on Kafka's class path (broker, storage
     * tool, ProducerPerformance, DumpLogSegments), logging with log4j2 at WARN unless {@code
     * log4jDir} holds a log4j2.properties.
     */
    public static List<String> javaCommand(List<String> jvmArgs, String mainClass, List<String> args, Path log4jDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        if (log4jDir != null && Files.exists(log4jDir.resolve("log4j2.properties"))) {
            cmd.add("-Dlog4j2.configurationFile=" + log4jDir.resolve("log4j2.properties"));
        } else {
            cmd.add("-Dlog4j2.level=warn");
        }
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Kafka's jars (from the local Maven repository, as resolved at build time) and this launcher. */
    public static String classpath() {
        String cp;
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("twinlane-broker was built without " + CLASSPATH_RESOURCE
                        + "; run: mvn install -pl broker");
            }
            cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String jar : cp.split(java.io.File.pathSeparator)) {
            if (!Files.exists(Path.of(jar))) {
                throw new IllegalStateException("Kafka jar " + jar + " is missing; run: mvn install -pl broker");
            }
        }
        try {
            return Path.of(KafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + java.io.File.pathSeparator + cp;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
