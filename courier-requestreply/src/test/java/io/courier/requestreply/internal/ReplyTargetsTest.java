package io.courier.requestreply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.requestreply.MovableClock;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/**
 * Which reply targets are refused before a reply is sent, without a broker: each refused one would otherwise fail
 * the send, and a Kafka Streams sender (the event-sourcing processor) for good, at every restart.
 */
class ReplyTargetsTest {
    private static final Node NODE = new Node(1, "b1", 9092);
    private final List<String> described = new ArrayList<>();
    private final MovableClock clock = new MovableClock(java.time.Instant.parse("2026-11-26T09:00:00Z"));

    @Test
    void anIllegalTopicNameIsRefusedWithoutAskingTheCluster() throws Exception {
        ReplyTargets targets = new ReplyTargets(courier(() -> {
            throw new AssertionError("no lookup for a name Kafka refuses anyway");
        }));

        for (String name : List.of("bank replies", "", ".", "..", "r".repeat(250), "caf\u00e9")) {
            assertThat(targets.problem(name, 0)).as(name).isEqualTo("names reply topic '" + name + "', which is not a "
                    + "legal topic name (1 to 249 of a-z A-Z 0-9 . _ -), so there is nowhere to answer");
        }
        ReplyTargets looking = new ReplyTargets(courier(() -> described(Set.of(AclOperation.WRITE))));
        assertThat(looking.problem("r".repeat(249), 0)).as("the longest legal name is looked up").isNull();
        assertThat(described).containsExactly("r".repeat(249));
    }

    @Test
    void aTopicThisServiceMayNotWriteIsRefused() throws Exception {
        ReplyTargets targets = new ReplyTargets(courier(() -> described(Set.of(AclOperation.DESCRIBE,
                AclOperation.READ))));

        assertThat(targets.problem("bank.replies", 0)).isEqualTo("names reply topic 'bank.replies', which this "
                + "service may not write (no WRITE permission), so it cannot answer");
        assertThat(targets.problem("bank.replies", 0)).as("remembered for a moment").isNotNull();
        assertThat(described).hasSize(1);
    }

    @Test
    void aTopicThisServiceMayNotDescribeIsRefusedSinceItMayNotWriteItEither() throws Exception {
        ReplyTargets targets = new ReplyTargets(courier(() -> failed(new TopicAuthorizationException(
                Set.of("bank.replies")))));

        assertThat(targets.problem("bank.replies", 0)).startsWith("names reply topic 'bank.replies', which this "
                + "service may not describe or write (").endsWith("), so it cannot answer");
    }

    @Test
    void aNameTheClusterRefusesIsRefused() throws Exception {
        ReplyTargets targets = new ReplyTargets(courier(() -> failed(new InvalidTopicException("reserved"))));

        assertThat(targets.problem("bank.replies", 0)).isEqualTo("names reply topic 'bank.replies', which the cluster "
                + "refuses as a topic name (reserved), so there is nowhere to answer");
    }

    @Test
    void aWritableTopicIsLetThroughAndSoIsOneWhosePermissionsTheClusterDoesNotSay() throws Exception {
        ReplyTargets writable = new ReplyTargets(courier(() -> described(Set.of(AclOperation.WRITE))));
        ReplyTargets all = new ReplyTargets(courier(() -> described(Set.of(AclOperation.ALL))));
        ReplyTargets unsaid = new ReplyTargets(courier(() -> described(null)));
        ReplyTargets empty = new ReplyTargets(courier(() -> described(Set.of())));

        assertThat(writable.problem("bank.replies", 1)).isNull();
        assertThat(writable.problem("bank.replies", 2)).isEqualTo("names partition 2 of reply topic 'bank.replies', "
                + "which has 2 partition(s), so there is nowhere to answer");
        assertThat(all.problem("bank.replies", 0)).isNull();
        assertThat(unsaid.problem("bank.replies", 0)).isNull();
        assertThat(empty.problem("bank.replies", 0)).as("an empty set from a describe it allowed says nothing")
                .isNull();
    }

    @Test
    void aPartitionCountIsLookedUpAgainAfter30SecondsSinceTheTopicMayHaveBeenDeletedOrGrown() throws Exception {
        List<KafkaFuture<TopicDescription>> answers = new ArrayList<>(List.of(described(null),
                failed(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("deleted")),
                failed(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("deleted"))));
        ReplyTargets targets = new ReplyTargets(courier(() -> answers.remove(0)));

        assertThat(targets.problem("bank.replies", 1)).isNull();
        clock.advance(java.time.Duration.ofSeconds(29));
        assertThat(targets.problem("bank.replies", 1)).as("remembered").isNull();
        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(targets.problem("bank.replies", 1)).isEqualTo("names reply topic 'bank.replies', which does not "
                + "exist, so there is nowhere to answer");
        assertThat(described).hasSize(3);
    }

    /** A courier whose admin client describes any topic with {@code description}. */
    private Courier courier(Supplier<KafkaFuture<TopicDescription>> description) {
        Admin admin = (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("describeTopics") || args.length != 2) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    assertThat(((DescribeTopicsOptions) args[1]).includeAuthorizedOperations()).isTrue();
                    String topic = (String) ((java.util.Collection<?>) args[0]).iterator().next();
                    described.add(topic);
                    return new DescribeTopicsResult(null, Map.of(topic, description.get())) { };
                });
        CourierConfig config = CourierConfig.builder("b1:9092").clock(clock).build();
        return (Courier) Proxy.newProxyInstance(Courier.class.getClassLoader(), new Class<?>[] {Courier.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "admin" -> admin;
                    case "config" -> config;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Two partitions, with these permissions (null: the cluster does not say). */
    private static KafkaFuture<TopicDescription> described(Set<AclOperation> allowed) {
        List<TopicPartitionInfo> partitions = List.of(new TopicPartitionInfo(0, NODE, List.of(NODE), List.of(NODE)),
                new TopicPartitionInfo(1, NODE, List.of(NODE), List.of(NODE)));
        return KafkaFuture.completedFuture(new TopicDescription("bank.replies", false, partitions, allowed));
    }

    private static KafkaFuture<TopicDescription> failed(Exception e) {
        KafkaFutureImpl<TopicDescription> future = new KafkaFutureImpl<>();
        future.completeExceptionally(e);
        return future;
    }
}
