package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every misconfiguration fails fast, before anything is sent or consumed, with a message that names it. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MisconfigurationIT {
    private static Courier courier;
    private static String bootstrap;

    @BeforeAll
    static void connect(EmbeddedKafkaCluster cluster) {
        bootstrap = cluster.bootstrapServers();
        courier = Courier.connect(CourierConfig.builder(bootstrap).build());
    }

    @AfterAll
    static void disconnect() {
        courier.close();
    }

    @Test
    void unreachableBootstrapServersAreNamedAfterTheTimeout() {
        CourierRetriableException e = assertThrows(CourierRetriableException.class, () -> Courier.connect(
                CourierConfig.builder("localhost:1").connectTimeout(Duration.ofSeconds(2)).build()));
        assertThat(e.getMessage()).startsWith("cannot reach Kafka at localhost:1 within 2s (bootstrap.servers); check "
                + "the addresses, the security settings and that the cluster is running. ");
    }

    @Test
    void aMissingTopicIsNamedForPublishersAndSubscribers() {
        Topic<String, String> missing = Topic.of("never-created", Serdes.string(), Serdes.string());
        CourierException pub = assertThrows(CourierException.class, () -> courier.publisher(missing));
        assertThat(pub).hasMessage("topic 'never-created' does not exist at " + bootstrap
                + "; declare it and call Courier.provision(...), or create it");
        CourierException sub = assertThrows(CourierException.class, () -> courier.subscriber(missing,
                SubscriberOptions.builder("g").build(), Handlers.all((m, c) -> {})));
        assertThat(sub.getMessage()).startsWith("topic 'never-created' does not exist");
    }

    @Test
    void moreThreadsThanPartitionsIsRefused() {
        Topic<String, String> topic = Topic.builder("two-partitions", Serdes.string(), Serdes.string()).partitions(2).build();
        courier.provision(topic);
        CourierException e = assertThrows(CourierException.class, () -> courier.subscriber(topic,
                SubscriberOptions.builder("wide").concurrency(3).build(), Handlers.all((m, c) -> {})));
        assertThat(e).hasMessage("concurrency 3 of subscriber 'wide' exceeds the 2 partition(s) of topic "
                + "'two-partitions': the extra threads would get no partitions; use at most 2");
    }

    @Test
    void aDeadLetterTopicThatIsTheTopicItselfIsRefused() {
        Topic<String, String> topic = Topic.of("self-dead-lettering", Serdes.string(), Serdes.string());
        courier.provision(topic);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> courier.subscriber(topic,
                SubscriberOptions.builder("loop").deadLetterTopic("self-dead-lettering").build(),
                Handlers.all((m, c) -> {})));
        assertThat(e).hasMessage("the dead-letter topic of subscriber 'loop' is its own topic 'self-dead-lettering': "
                + "a failed record would be consumed again and fail again, forever; choose another deadLetterTopic");
    }

    @Test
    void contradictoryDeliverySettingsFailAtStartUp() {
        Topic<String, String> topic = Topic.of("contradictions", Serdes.string(), Serdes.string());
        courier.provision(topic);
        assertThat(assertThrows(CourierException.class, () -> courier.publisher(topic,
                PublisherOptions.builder().producerProperty("acks", "0").build())).getMessage())
                .contains("acks=0 contradicts AT_LEAST_ONCE");
        assertThat(assertThrows(CourierException.class, () -> courier.subscriber(topic,
                SubscriberOptions.builder("eos").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .consumerProperty("enable.auto.commit", "true").build(),
                Handlers.all((m, c) -> {}))).getMessage())
                .contains("enable.auto.commit=true contradicts EXACTLY_ONCE");
        assertThat(assertThrows(CourierException.class, () -> courier.subscriber(topic,
                SubscriberOptions.builder("eos").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .consumerProperty("isolation.level", "read_uncommitted").build(),
                Handlers.all((m, c) -> {}))).getMessage())
                .contains("isolation.level=read_uncommitted contradicts EXACTLY_ONCE");
        assertThat(assertThrows(CourierException.class, () -> courier.subscriber(topic,
                SubscriberOptions.builder("slow").retry(new RetryPolicy(5, Duration.ofSeconds(2), 2,
                                Duration.ofSeconds(30), List.of()))
                        .consumerProperty("max.poll.interval.ms", "10000").build(),
                Handlers.all((m, c) -> {}))).getMessage())
                .contains("max.poll.interval.ms=10000 is not longer than the retry budget of 30000 ms");
    }

    @Test
    void provisioningReportsDriftInsteadOfChangingTheTopic() {
        courier.provision(Topic.builder("drifted", Serdes.string(), Serdes.string()).partitions(3)
                .config("retention.ms", "86400000").build());
        Topic<String, String> declared = Topic.builder("drifted", Serdes.string(), Serdes.string()).partitions(6)
                .config("retention.ms", "604800000").build();
        CourierException e = assertThrows(CourierException.class, () -> courier.provision(declared));
        assertThat(e.getMessage()).startsWith("existing topics differ from their declarations (Courier does not "
                + "change existing topics; align the declaration or alter the topic): ")
                .contains("topic 'drifted' has 3 partitions, declared 6",
                        "topic 'drifted' has retention.ms=86400000, declared retention.ms=604800000");
        try (Publisher<String, String> unchanged = courier.publisher(Topic.of("drifted", Serdes.string(), Serdes.string()))) {
            assertThat(unchanged.publishAndWait("k", "v").partition()).as("the topic is unchanged and usable").isBetween(0, 2);
        }
    }

    @Test
    void aValueThatCannotBeSerializedIsRefusedBeforeAnythingIsSent() {
        Topic<String, Object> topic = Topic.of("unserializable", Serdes.string(), Serdes.json(Object.class));
        courier.provision(topic);
        try (Publisher<String, Object> publisher = courier.publisher(topic)) {
            SerdeException e = assertThrows(SerdeException.class, () -> publisher.publish("k", new Object()));
            assertThat(e.getMessage()).startsWith("cannot publish to topic 'unserializable': cannot serialize the value: cannot write a java.lang.Object as JSON");
        }
        assertThat(Probe.readAll(bootstrap, "unserializable", false)).isEmpty();
    }
}
