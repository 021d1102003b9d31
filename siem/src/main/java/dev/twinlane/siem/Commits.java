package dev.twinlane.siem;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The consumer's offset commits, each of records whose lines were written and flushed: the poll
 * loop calls {@link #written} only then, and polls again only after it. Asynchronous after each
 * poll, since waiting for every commit was about a tenth of the consumer's time (the next poll
 * sends it, and a later commit covers one that failed); synchronous where the position must be
 * on the broker before anything else happens: before partitions go to another member of the
 * group, and when the consumer stops.
 *
 * <p>What that costs: a crash loses at most the commits still in flight (normally the last
 * poll's), and the records after the last commit that arrived are delivered again. A restarted
 * consumer keeps no chain state, so it writes their events once more (same {@code metadata.uid});
 * a consumer that keeps running drops them as duplicates.
 */
final class Commits implements ConsumerRebalanceListener {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.siem");
    private final AtomicLong nanos;
    private KafkaConsumer<byte[], byte[]> consumer;
    /** The last asynchronous commit's failure, logged once until another one follows. */
    private volatile String failure;

    Commits(AtomicLong nanos) {
        this.nanos = nanos;
    }

    void attach(KafkaConsumer<byte[], byte[]> c) {
        consumer = c;
    }

    /**
     * Every record polled so far is written and flushed. Not counted as waiting: nothing waits
     * for the broker here, and the time spent in the call is the network I/O of the fetches
     * (commitAsync polls the client), which the next poll would otherwise do.
     */
    void written() {
        consumer.commitAsync(this::done);
    }

    /** The consumer stops after what it wrote: its positions committed before it closes. */
    void last() {
        if (consumer == null) {
            return;
        }
        long t = System.nanoTime();
        try {
            consumer.commitSync();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "siem: the last offset commit failed (" + e + "); records since the"
                    + " one before will be consumed again");
        } finally {
            nanos.addAndGet(System.nanoTime() - t);
        }
    }

    private void done(Map<TopicPartition, OffsetAndMetadata> offsets, Exception e) {
        String now = e == null ? null : e.getClass().getSimpleName() + ": " + e.getMessage();
        if (now != null && !now.equals(failure)) {
            LOG.log(System.Logger.Level.WARNING, "siem: an offset commit failed (" + now + "); the next one covers it");
        }
        failure = now;
    }

    /** Called inside a poll, so after the lines of every earlier poll were written and flushed. */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long t = System.nanoTime();
        try {
            consumer.commitSync(); // the next owner starts where these lines end
        } catch (WakeupException | InterruptException e) {
            throw e; // stop() asked for the poll to end
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "siem: the offset commit before a rebalance failed (" + e + "); the next"
                    + " owner of " + partitions + " consumes some records again");
        } finally {
            nanos.addAndGet(System.nanoTime() - t);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    }

    /** Another member owns them already: a commit would be refused. */
    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
    }
}
