package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void retryPolicyBacksOffExponentiallyUpToTheMaximum() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), 2.0, Duration.ofMillis(300), List.of());
        assertThat(List.of(p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(4)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(300));
        assertThat(p.budget()).isEqualTo(Duration.ofMillis(900));
        assertThat(RetryPolicy.noRetries().budget()).isZero();
    }

    @Test
    void retryPolicyKnowsWhichFailuresAreNotWorthRetrying() {
        RetryPolicy p = RetryPolicy.defaults().withNonRetriable(List.of(IllegalArgumentException.class));
        assertThat(p.isRetriable(new IllegalStateException())).isTrue();
        assertThat(p.isRetriable(new NumberFormatException())).as("a subclass").isFalse();
    }

    @Test
    void retryPolicyRejectsNonsense() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(0, Duration.ZERO, 1, Duration.ZERO, List.of())))
                .hasMessage("max attempts must be between 1 and 100, but was 0");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(2), 2, Duration.ofSeconds(1), List.of())))
                .hasMessage("max backoff 1s must not be shorter than the initial backoff 2s");
    }

    @Test
    void topicDeclarationsAreValidated() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> Topic.of("orders placed", Serdes.string(), Serdes.string())).getMessage())
                .startsWith("illegal topic name 'orders placed': ");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> Topic.builder("orders", Serdes.string(), Serdes.string()).partitions(0).build()))
                .hasMessage("topic 'orders' needs at least 1 partition, but was declared with 0");
        Topic<String, String> t = Topic.builder("orders", Serdes.string(), Serdes.string())
                .partitions(6).replicationFactor(3).config("min.insync.replicas", "2").build();
        assertThat(t.partitions()).isEqualTo(6);
        assertThat(t.replicationFactor()).isEqualTo((short) 3);
        assertThat(t.configs()).containsEntry("min.insync.replicas", "2");
    }

    @Test
    void publisherAndSubscriberOptionsNameTheBadValue() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> PublisherOptions.builder().batchSize(-1).build()))
                .hasMessage("batch size must be 0 or more bytes, but was -1");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> PublisherOptions.builder().transactionalId("tx").build()))
                .hasMessage("a transactional id ('tx') needs the EXACTLY_ONCE guarantee, but the guarantee is AT_LEAST_ONCE");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> SubscriberOptions.builder("g").concurrency(0).build()))
                .hasMessage("concurrency must be at least 1 thread, but was 0");
        assertThat(assertThrows(IllegalArgumentException.class, () -> SubscriberOptions.builder(" ").build()))
                .hasMessage("a subscriber needs a consumer group id");
        assertThat(SubscriberOptions.builder("g").build().deadLetterTopicFor("orders")).isEqualTo("orders.dlt");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> SubscriberOptions.builder("g").consumerProperty("group.id", "other")))
                .hasMessage("consumer property group.id=other is set by the options: use SubscriberOptions.builder(groupId)");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> SubscriberOptions.builder("g").consumerProperty("group.protocol", "consumer")))
                .hasMessage("consumer property group.protocol=consumer is set by the options: use groupProtocol(...)");
    }

    @Test
    void aSubscriberUsesTheClassicGroupProtocolUnlessTold() {
        assertThat(SubscriberOptions.builder("g").build().groupProtocol())
                .as("KIP-848's protocol needs Kafka 4.0 brokers; the classic one works with every broker")
                .isEqualTo(GroupProtocol.CLASSIC);
    }

    @Test
    void outboundHeadersCannotImpersonateTheEnvelope() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> OutboundMessage.of("k", "v").withHeader("ce_id", "x")))
                .hasMessageStartingWith("header 'ce_id' belongs to Courier's envelope");
        assertThrows(IllegalArgumentException.class, () -> OutboundMessage.of("k", "v").withHeader("traceparent", "x"));
        assertThat(OutboundMessage.of("k", "v").withHeader("tenant", "acme").headers()).containsEntry("tenant", "acme");
        // The record's own constructor too: a forged compact header would otherwise be read as the envelope.
        assertThat(assertThrows(IllegalArgumentException.class, () -> new OutboundMessage<>("k", "v",
                java.util.Map.of("courier-envelope", "1|Evil|x|text/plain|0|fake"), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.OptionalInt.empty())))
                .hasMessageStartingWith("header 'courier-envelope' belongs to Courier's envelope");
    }

    @Test
    void courierConfigChecksTheBootstrapServers() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> CourierConfig.builder("localhost").build()))
                .hasMessage("bootstrap servers must look like host:port[,host:port...], but were 'localhost'");
        assertThat(CourierConfig.builder("a:1,b:2").build().bootstrapServers()).isEqualTo("a:1,b:2");
        assertThat(CourierConfig.builder(" a:1, b:2 ").build().bootstrapServers())
                .as("spaces as Kafka's clients take them, from a client.properties file say").isEqualTo("a:1,b:2");
        assertThat(assertThrows(IllegalArgumentException.class, () -> CourierConfig.builder("a:1")
                .envelopeFormat(null).build())).hasMessage("envelope format must be one of [CLOUD_EVENTS, COMPACT, BINARY], but was null");
        assertThat(CourierConfig.builder("a:1").build().envelopeFormat()).isEqualTo(EnvelopeFormat.COMPACT);
        CourierConfig secured = CourierConfig.builder("b:9093").clientProperty("security.protocol", "SSL").build();
        java.util.Map<String, Object> own = secured.kafkaClientConfig();
        assertThat(own).containsEntry("bootstrap.servers", "b:9093").containsEntry("security.protocol", "SSL");
        own.put("group.id", "mine");
        assertThat(secured.kafkaClientConfig()).as("a new map each time").doesNotContainKey("group.id");
    }
}
