package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.twinlane.broker.KafkaBroker;
import dev.twinlane.export.ExportSettings;
import dev.twinlane.export.SecurityExporter;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wire.CheckpointMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Two SIEM consumers in one consumer group, through a real broker: four host logs on a topic of
 * four partitions keyed by host. The group splits the hosts; each consumer verifies every MAC of
 * its hosts' records, the two together each record exactly once, and each witnesses only the
 * logs whose checkpoints are on the seals partitions it was assigned, accepting every later
 * checkpoint with its consistency proof.
 */
class ConsumerGroupTest {
    private static final int HOSTS = 4;
    private static final String PREFIX = "g";
    private static final String GROUP = "siem-group";

    @TempDir
    Path tmp;

    @Test
    void twoConsumersSplitTheHostsAndEachWitnessesItsOwn() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings().dataDir(tmp.resolve("broker")))) {
            createTopics(broker.bootstrap());
            SealKey seal = TestHost.sealKey(tmp);
            List<TestHost> hosts = new ArrayList<>();
            try {
                Set<Integer> checkpointPartitions = new HashSet<>();
                for (String name : hostsOnTheirOwnPartitions()) {
                    hosts.add(hostWithItsOwnCheckpointPartition(name, seal, checkpointPartitions));
                }
                List<Path> keys = hosts.stream().map(h -> h.keyFile).toList();
                Member a = new Member("a", "a1", broker.bootstrap(), keys);
                Member b = new Member("b", "b", broker.bootstrap(), keys);
                Map<String, Set<TopicPartition>> assigned = stableGroup(broker.bootstrap());
                // two rounds per host: the second checkpoint must be accepted with a proof from the first
                exportRound(hosts, broker.bootstrap(), 300);
                // a restart in mid-stream: the same member (static membership), its state file read back; its
                // start reads the whole seals topic again, but judges no checkpoint of another member's partitions
                Siems.Run ra1 = a.finish(true);
                a = new Member("a", "a2", broker.bootstrap(), keys);
                exportRound(hosts, broker.bootstrap(), 200);
                assertEquals(assigned, stableGroup(broker.bootstrap()), "no rebalance during the run");
                Siems.Run ra2 = a.finish(false);
                Siems.Run rb = b.finish(false);
                check(hosts, Map.of(a, List.of(ra1, ra2), b, List.of(rb)), assigned);
            } finally {
                for (TestHost h : hosts) {
                    h.close();
                }
            }
        }
    }

    private void check(List<TestHost> hosts, Map<Member, List<Siems.Run>> runs, Map<String, Set<TopicPartition>> assigned)
            throws Exception {
        Map<String, String> hostOfLog = new HashMap<>();
        Set<String> verified = new HashSet<>();
        long expected = 0;
        for (TestHost h : hosts) {
            hostOfLog.put(h.log.logId(), h.id);
            expected += h.appRecords;
        }
        Set<String> witnessed = new TreeSet<>();
        for (Map.Entry<Member, List<Siems.Run>> e : runs.entrySet()) {
            Member m = e.getKey();
            Set<TopicPartition> mine = assigned.get(m.clientId);
            long checkpoints = 0;
            for (Siems.Run run : e.getValue()) {
                System.out.println(m.clientId + " (" + mine + "): " + run.stats());
                assertEquals(List.of(), run.alertKeys(), m.clientId + ": an honest fleet, no finding");
                assertEquals(0, run.stats().duplicates.get(), m.clientId);
                assertTrue(!run.events().isEmpty(), "the group split the hosts: " + m.clientId + " verified none");
                checkpoints += run.stats().checkpoints.get();
                for (JsonNode ev : run.events()) {
                    JsonNode v = ev.path("unmapped").path("verification");
                    String chain = v.path("chain").asText();
                    assertTrue(chain.equals("hmac") || chain.startsWith("joined the log at seq"), "every MAC checked with the root keys: " + v);
                    assertTrue(mine.contains(new TopicPartition(PREFIX + ".security", partition(hostOfLog.get(v.path("log_id").asText())))),
                            m.clientId + " verified a record of a host whose partition it does not own: " + v);
                    assertTrue(verified.add(v.path("log_id").asText() + "/" + v.path("seq").asLong()), "verified twice: " + v);
                }
            }
            for (String line : Files.readAllLines(m.witness)) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(" ");
                TestHost h = hosts.stream().filter(x -> x.log.logId().equals(f[0])).findFirst().orElseThrow();
                assertTrue(mine.contains(new TopicPartition(PREFIX + ".seals", Integer.parseInt(f[4]))),
                        m.clientId + " witnesses " + h.id + " from a seals partition it does not own: " + line);
                assertEquals(h.log.checkpoint().size(), Long.parseLong(f[1]), h.id + "'s last checkpoint, accepted with its proof");
                assertTrue(witnessed.add(f[0]), h.id + " witnessed by both consumers");
            }
            assertTrue(checkpoints >= 2L * countLines(m.witness), "each log's checkpoints of both rounds");
        }
        assertEquals(expected, verified.size(), "every record verified once across the two");
        assertEquals(new TreeSet<>(hostOfLog.keySet()), witnessed, "every log witnessed by one of the two");
    }

    private static long countLines(Path witness) throws Exception {
        return Files.readAllLines(witness).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    }

    /**
     * A host whose log's checkpoints (keyed by its random log id) land on a seals partition no
     * other host's do, so that each member, whichever two partitions it gets, witnesses two logs;
     * left to chance, one member would witness none in one run out of eight.
     */
    private TestHost hostWithItsOwnCheckpointPartition(String name, SealKey seal, Set<Integer> taken) throws Exception {
        for (int attempt = 0; ; attempt++) {
            TestHost h = new TestHost(tmp.resolve("attempt-" + attempt), name, seal, name.hashCode());
            if (taken.add(partition(CheckpointMessage.KEY_PREFIX + h.log.logId()))) {
                return h;
            }
            h.close();
        }
    }

    /** Host names the default partitioner puts one on each partition. */
    private static List<String> hostsOnTheirOwnPartitions() {
        String[] byPartition = new String[HOSTS];
        for (int i = 0, found = 0; found < HOSTS; i++) {
            String name = "host-g" + i;
            if (byPartition[partition(name)] == null) {
                byPartition[partition(name)] = name;
                found++;
            }
        }
        return List.of(byPartition);
    }

    private static int partition(String host) {
        return Utils.toPositive(Utils.murmur2(host.getBytes(StandardCharsets.UTF_8))) % HOSTS;
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(PREFIX + ".security", HOSTS, (short) 1),
                    new NewTopic(PREFIX + ".seals", HOSTS, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits for the group to be stable with both members assigned; returns client id → partitions. */
    private static Map<String, Set<TopicPartition>> stableGroup(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS)
                        .get(GROUP);
                Map<String, Set<TopicPartition>> out = new HashMap<>();
                for (MemberDescription m : g.members()) {
                    out.put(m.clientId(), m.assignment().topicPartitions());
                }
                if (g.groupState() == GroupState.STABLE && out.size() == 2
                        && out.values().stream().mapToInt(Set::size).sum() == 2 * HOSTS) {
                    return out;
                }
                assertTrue(System.nanoTime() < deadline, "the group did not settle: " + g);
                Thread.sleep(100);
            }
        }
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return Admin.create(p);
    }

    /** Appends to every host, seals, and exports until each log's last checkpoint is out. */
    private void exportRound(List<TestHost> hosts, String bootstrap, int records) throws Exception {
        List<SecurityExporter> exporters = new ArrayList<>();
        try {
            for (TestHost h : hosts) {
                ExportSettings s = h.settings(bootstrap, PREFIX);
                s.createTopics = false;
                exporters.add((SecurityExporter) new SecurityExporter(h.log, s, new SimpleMeterRegistry()).start());
                h.append(records);
                h.log.appender().seal();
            }
            for (int i = 0; i < hosts.size(); i++) {
                TestHost h = hosts.get(i);
                Siems.await(h.id + "'s last SEAL checkpointed", Duration.ofSeconds(30), () -> {
                    long durable = h.log.syncNow();
                    return h.log.checkpoint() != null && h.log.checkpoint().size() == durable;
                });
                Siems.drained(h, exporters.get(i), Duration.ofSeconds(60));
            }
            Thread.sleep(1500); // the exporters' next tick publishes the checkpoints
        } finally {
            for (SecurityExporter e : exporters) {
                e.close();
            }
        }
    }

    /** One consumer of the group, running on a thread of its own until the topics are quiet. */
    private final class Member {
        final String clientId;
        final Path witness;
        final Path out;
        final SiemConsumer consumer;
        final Writer writer;
        final Thread thread;
        volatile Exception failed;

        Member(String name, String outName, String bootstrap, List<Path> keys) throws Exception {
            this.clientId = "siem-" + name;
            this.witness = tmp.resolve(name + ".witness");
            this.out = tmp.resolve(outName + ".jsonl");
            SiemConsumer.Options o = new SiemConsumer.Options();
            o.bootstrap = bootstrap;
            o.group = GROUP;
            o.securityTopic = PREFIX + ".security";
            o.sealsTopic = PREFIX + ".seals";
            o.keyFiles.addAll(keys);
            o.sealPublicKey = tmp.resolve("seal.pub");
            o.witnessState = witness;
            o.idleExit = Duration.ofSeconds(8); // quiet that long after the last export round
            o.client.put("client.id", clientId);
            o.client.put("group.instance.id", clientId); // a restart comes back to its own partitions
            this.writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
            this.consumer = new SiemConsumer(o, writer);
            this.thread = new Thread(() -> {
                try {
                    consumer.run();
                } catch (Exception e) {
                    failed = e;
                }
            }, clientId);
            thread.start();
        }

        /** {@code now}: stopped at once, else after its idle time. */
        Siems.Run finish(boolean now) throws Exception {
            if (now) {
                consumer.stop();
            }
            thread.join(TimeUnit.MINUTES.toMillis(3));
            assertTrue(!thread.isAlive(), clientId + " did not stop after its idle time");
            consumer.close();
            writer.close();
            if (failed != null) {
                throw failed;
            }
            return Siems.read(consumer.stats(), out);
        }
    }
}
