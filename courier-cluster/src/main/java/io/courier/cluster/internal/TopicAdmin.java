package io.courier.cluster.internal;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

/** Topic creation and leader look-ups with errors that name the topic and the problem. */
final class TopicAdmin {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** What {@link #describeLeader} answers for a topic the cluster does not know; node ids are not negative. */
    private static final int UNKNOWN_TOPIC = -1;

    private TopicAdmin() {}

    static void create(Admin admin, int brokers, String topic, int partitions, int rf, Map<String, String> configs) {
        try {
            Topic.validate(topic);
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException("illegal topic name '" + topic + "': " + e.getMessage(), e);
        }
        requireArgument(partitions >= 1, "topic '%s' needs at least 1 partition, but %d were asked for", topic, partitions);
        requireArgument(rf >= 1 && rf <= brokers,
                "replication factor %d for topic '%s' cannot be met: the cluster has %d running broker(s), "
                        + "so the replication factor must be between 1 and %d", rf, topic, brokers, brokers);
        NewTopic newTopic = new NewTopic(topic, partitions, (short) rf).configs(configs);
        await(admin.createTopics(List.of(newTopic)).all(), "create topic '" + topic + "'");
        for (int p = 0; p < partitions; p++) {
            leaderOf(admin, topic, p, CALL_TIMEOUT);
        }
    }

    static int leaderOf(Admin admin, String topic, int partition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Integer> leader = describeLeader(admin, topic, partition);
            if (leader.isPresent() && leader.get() != UNKNOWN_TOPIC) {
                return leader.get();
            }
            if (System.nanoTime() > deadline) {
                // A topic just created may be unknown to a broker for a moment; one unknown to the end does not exist.
                throw leader.isPresent()
                        ? new CourierRetriableException("topic '" + topic + "' does not exist (still unknown to the "
                                + "cluster after " + Durations.format(timeout) + ")")
                        : new CourierRetriableException("partition " + topic + "-" + partition + " has no leader after "
                                + Durations.format(timeout));
            }
            sleep(100);
        }
    }

    /** @return the leader's id, {@link #UNKNOWN_TOPIC}, or empty while the partition has no leader */
    private static Optional<Integer> describeLeader(Admin admin, String topic, int partition) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            requireArgument(partition >= 0 && partition < description.partitions().size(),
                    "topic '%s' has %d partition(s), so partition %d does not exist", topic,
                    description.partitions().size(), partition);
            TopicPartitionInfo info = description.partitions().get(partition);
            Node leader = info.leader();
            return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader.id());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.of(UNKNOWN_TOPIC);
            }
            throw new CourierException("cannot describe topic '" + topic + "': " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while describing topic '" + topic + "'", e);
        }
    }

    static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CourierException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new CourierRetriableException("cannot " + what + ": no answer within "
                    + Durations.format(CALL_TIMEOUT), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while trying to " + what, e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while waiting for the cluster", e);
        }
    }
}
