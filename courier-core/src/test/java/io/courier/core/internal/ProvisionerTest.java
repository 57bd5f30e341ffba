package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/**
 * How a dead-letter topic is created, without a broker: core's integration tests run one broker, where every
 * topic has one replica, so they cannot tell a copied replication factor from a fixed one.
 */
class ProvisionerTest {
    private static final List<Node> BROKERS = List.of(new Node(1, "b1", 9092), new Node(2, "b2", 9092),
            new Node(3, "b3", 9092));
    /** Six partitions on three replicas each. */
    private static final TopicDescription ORDERS = new TopicDescription("orders", false, IntStream.range(0, 6)
            .mapToObj(p -> new TopicPartitionInfo(p, BROKERS.get(p % 3), BROKERS, BROKERS)).toList());

    private final List<NewTopic> requested = new ArrayList<>();

    @Test
    void aMissingDeadLetterTopicIsRequestedWithItsTopicsPartitionCountAndReplicationFactor() {
        // The creation is refused, which ends the call before it waits for the new topic's leaders.
        Provisioner provisioner = new Provisioner(admin(failed(new UnknownTopicOrPartitionException("missing"))),
                Duration.ofSeconds(5), "b1:9092");

        CourierException e = assertThrows(CourierException.class,
                () -> provisioner.ensureLike("orders.dlt", ORDERS));

        assertThat(requested).containsExactly(new NewTopic("orders.dlt", 6, (short) 3));
        assertThat(e).hasMessageContaining("create topic 'orders.dlt' at b1:9092");
    }

    @Test
    void anExistingDeadLetterTopicIsLeftAsItIs() {
        TopicDescription existing = new TopicDescription("orders.dlt", false,
                List.of(new TopicPartitionInfo(0, BROKERS.get(0), BROKERS.subList(0, 1), BROKERS.subList(0, 1))));
        Provisioner provisioner = new Provisioner(admin(KafkaFuture.completedFuture(existing)), Duration.ofSeconds(5),
                "b1:9092");

        provisioner.ensureLike("orders.dlt", ORDERS);

        assertThat(requested).as("neither created nor changed, though unlike its topic").isEmpty();
    }

    /** An admin client that describes orders.dlt as {@code described}, and refuses to create topics. */
    private Admin admin(KafkaFuture<TopicDescription> described) {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "describeTopics" -> new DescribeTopicsResult(null, Map.of("orders.dlt", described)) { };
                    case "createTopics" -> {
                        for (Object t : (Collection<?>) args[0]) {
                            requested.add((NewTopic) t);
                        }
                        yield new CreateTopicsResult(Map.of("orders.dlt",
                                failed(new TopicAuthorizationException("not allowed")))) { };
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static <T> KafkaFuture<T> failed(Exception e) {
        KafkaFutureImpl<T> future = new KafkaFutureImpl<>();
        future.completeExceptionally(e);
        return future;
    }
}
