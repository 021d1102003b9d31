package dev.twinlane.export;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the export topics when missing; a cluster that forbids it is told once and trusted to have them. */
public final class TopicMaker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.export");
    private final ExportSettings settings;
    private Admin admin;

    TopicMaker(ExportSettings settings) {
        this.settings = settings;
    }

    /** Creates {@code topic} unless it exists; {@code compacted} for the seals topic. */
    public void ensure(String topic, boolean compacted) throws Exception {
        if (admin == null) {
            admin = Admin.create(settings.admin("twinlane-topics"));
        }
        Set<String> have = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        if (have.contains(topic)) {
            return;
        }
        NewTopic t = new NewTopic(topic, Optional.of(compacted ? 1 : settings.partitions),
                settings.replicationFactor < 0 ? Optional.empty() : Optional.of(settings.replicationFactor));
        if (compacted) {
            t.configs(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));
        }
        try {
            admin.createTopics(java.util.List.of(t)).all().get(10, TimeUnit.SECONDS);
            LOG.log(System.Logger.Level.INFO, "export: created topic " + topic + (compacted ? " (compacted)" : ""));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return;
            }
            if (e.getCause() instanceof TopicAuthorizationException || e.getCause() instanceof ClusterAuthorizationException) {
                LOG.log(System.Logger.Level.WARNING, "export: not allowed to create topic " + topic
                        + "; assuming it is managed elsewhere");
                return;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(2));
        }
    }
}
