package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Output the broker refuses, injected for real: the target topic's {@code max.message.bytes} is smaller than the
 * record. A message is committed only once its dead letter or follow-ups are acknowledged.
 */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RefusedOutputIT {
    private static final String BIG = "x".repeat(2_000);
    private static final Map<String, String> SMALL_RECORDS = Map.of("max.message.bytes", "1000");
    private static Courier courier;
    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void connect(EmbeddedKafkaCluster cluster) {
        kafka = cluster;
        courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("billing").build());
    }

    @AfterAll
    static void disconnect() {
        courier.close();
    }

    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void aRefusedDeadLetterIsNotCommittedPastAndLandsOnceTheTopicTakesIt(DeliveryGuarantee guarantee) throws Exception {
        String name = "refused-dlt-" + guarantee.name().toLowerCase().replace('_', '-');
        Topic<String, String> topic = Topic.of(name, Serdes.string(), Serdes.string());
        courier.provision(topic);
        kafka.createTopic(name + ".dlt", 1, 1, SMALL_RECORDS); // the dead letter of a 2 KB record does not fit
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        try (Publisher<String, String> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, options(name, guarantee), Handlers.all((m, ctx) -> {
                    handled.merge(m.key(), 1, Integer::sum);
                    if (m.key().equals("poison")) {
                        throw new IllegalStateException("cannot bill " + m.key());
                    }
                })).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("a", "small");
            publisher.publishAndWait("poison", BIG);
            publisher.publishAndWait("b", "small");

            await().atMost(Duration.ofSeconds(60)).until(() -> handled.getOrDefault("poison", 0) >= 3);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> committed(name) <= 1); // nothing past the record whose dead letter was refused
            assertThat(Probe.readAll(kafka.bootstrapServers(), name + ".dlt", true)).isEmpty();
            assertThat(subscriber.isRunning()).isTrue();

            courier.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, name + ".dlt"),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> committed(name) == 3);
            List<ConsumerRecord<byte[], byte[]>> dead = Probe.readAll(kafka.bootstrapServers(), name + ".dlt", true);
            assertThat(dead).hasSize(1);
            assertThat(Probe.text(dead.get(0).key())).isEqualTo("poison");
            assertThat(Probe.header(dead.get(0), "courier_dlt_exception_class"))
                    .as("the dead letter names why the record failed, not why its dead letter did")
                    .isEqualTo(IllegalStateException.class.getName());
            assertThat(handled).containsKeys("a", "b");
            assertThat(handled.get("poison")).as("its 3 attempts, and no run while its dead letter was refused")
                    .isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void aMessageWhoseFollowUpIsRefusedIsRetriedThenDeadLettered(DeliveryGuarantee guarantee) {
        String name = "refused-follow-up-" + guarantee.name().toLowerCase().replace('_', '-');
        Topic<String, String> topic = Topic.of(name, Serdes.string(), Serdes.string());
        Topic<String, String> out = Topic.builder(name + ".out", Serdes.string(), Serdes.string())
                .config("max.message.bytes", SMALL_RECORDS.get("max.message.bytes")).build();
        courier.provision(topic, out);
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        try (Publisher<String, String> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, options(name, guarantee), Handlers.all((m, ctx) -> {
                    handled.merge(m.key(), 1, Integer::sum);
                    ctx.publish(out, m.key(), m.value());
                })).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("big", BIG);
            publisher.publishAndWait("small", "fits");

            await().atMost(Duration.ofSeconds(60)).until(() -> committed(name) == 2);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = Probe.readAll(kafka.bootstrapServers(), name + ".dlt", true);
        assertThat(dead).hasSize(1);
        assertThat(Probe.text(dead.get(0).key())).isEqualTo("big");
        assertThat(Probe.header(dead.get(0), "courier_dlt_attempts")).isEqualTo("3");
        assertThat(Probe.header(dead.get(0), "courier_dlt_exception_message")).contains("cannot publish a follow-up");
        assertThat(handled.get("big")).as("one run per attempt, then the dead letter without another").isEqualTo(3);
        List<String> output = Probe.readAll(kafka.bootstrapServers(), name + ".out", true).stream()
                .map(r -> Probe.text(r.key())).toList();
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            assertThat(output).containsExactly("small");
        } else { // "small" waited behind "big" in its partition and was handled again each round: duplicates, no loss
            assertThat(output).isNotEmpty().containsOnly("small");
        }
    }

    @Test
    void anExactlyOnceAttemptThatFailsAfterPublishingLeavesNothingVisible() throws Exception {
        String name = "eos-failed-attempt";
        Topic<String, String> topic = Topic.of(name, Serdes.string(), Serdes.string());
        Topic<String, String> out = Topic.of(name + ".out", Serdes.string(), Serdes.string());
        courier.provision(topic, out);
        AtomicInteger attempts = new AtomicInteger();
        try (Publisher<String, String> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, options(name, DeliveryGuarantee.EXACTLY_ONCE),
                        Handlers.all((m, ctx) -> {
                            int attempt = attempts.incrementAndGet();
                            ctx.publish(out, m.key(), "attempt " + attempt);
                            if (attempt == 1) {
                                throw new IllegalStateException("the database went away after the publish");
                            }
                        })).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("k", "v");

            await().atMost(Duration.ofSeconds(60)).until(() -> committed(name) == 1);
        }
        assertThat(Probe.readAll(kafka.bootstrapServers(), name + ".out", true)).extracting(r -> Probe.text(r.value()))
                .as("read_committed: the first attempt's output was aborted with its transaction")
                .containsExactly("attempt 2");
    }

    @Test
    void aTransactionThatOutlivesItsTimeoutIsConsumedAgainAndTheThreadCarriesOn() throws Exception {
        String name = "tx-timeout";
        // The broker aborts a transaction older than transaction.timeout.ms (checked every 10 s) and fences its
        // producer's epoch: the thread must get a new producer, not stop.
        try (Courier brief = Courier.connect(CourierConfig.builder(kafka.bootstrapServers()).serviceName("brief")
                .clientProperty("transaction.timeout.ms", "2000").build())) {
            Topic<String, String> topic = Topic.of(name, Serdes.string(), Serdes.string());
            Topic<String, String> out = Topic.of(name + ".out", Serdes.string(), Serdes.string());
            brief.provision(topic, out);
            AtomicInteger slowRuns = new AtomicInteger();
            try (Publisher<String, String> publisher = brief.publisher(topic);
                    Subscriber subscriber = brief.subscriber(topic, options(name, DeliveryGuarantee.EXACTLY_ONCE),
                            Handlers.all((m, ctx) -> {
                                ctx.publish(out, m.key(), m.value());
                                if (m.key().equals("slow") && slowRuns.incrementAndGet() == 1) {
                                    Thread.sleep(15_000); // past the timeout and the broker's next check
                                }
                            })).start()) {
                subscriber.awaitAssignment(Duration.ofSeconds(60));
                publisher.publishAndWait("slow", "1");
                await().atMost(Duration.ofSeconds(90)).until(() -> slowRuns.get() >= 2);
                publisher.publishAndWait("after", "2");

                await().atMost(Duration.ofSeconds(90)).until(() -> committed(name) == 2);
                assertThat(subscriber.isRunning()).isTrue();
            }
            assertThat(Probe.readAll(kafka.bootstrapServers(), name + ".out", true)).extracting(r -> Probe.text(r.key()))
                    .containsExactly("slow", "after");
        }
    }

    @Test
    void aConsumerEvictedForASlowHandlerRejoinsAndKeepsHandling() {
        Topic<String, String> topic = Topic.of("slow-handler", Serdes.string(), Serdes.string());
        courier.provision(topic);
        AtomicInteger slowRuns = new AtomicInteger();
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        SubscriberOptions options = SubscriberOptions.builder("slow-handler").retry(RetryPolicy.noRetries())
                .consumerProperty("max.poll.interval.ms", "3000").build();
        try (Publisher<String, String> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, options, Handlers.all((m, ctx) -> {
                    if (m.key().equals("slow") && slowRuns.incrementAndGet() == 1) {
                        Thread.sleep(6_000); // twice max.poll.interval.ms: the group evicts this consumer
                    }
                    handled.merge(m.key(), 1, Integer::sum);
                })).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("slow", "s");
            // published while the handler sleeps, so it cannot arrive in the same poll as "slow"
            await().atMost(Duration.ofSeconds(60)).until(() -> slowRuns.get() == 1);
            publisher.publishAndWait("next", "n");

            await().atMost(Duration.ofSeconds(90)).until(() -> handled.containsKey("next"));
            assertThat(subscriber.isRunning()).isTrue();
            assertThat(slowRuns.get()).as("the evicted consumer's commit was refused, so the message came again")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void anExactlyOncePublisherReportsARefusedMessageOnceThroughItsTransaction() {
        Topic<String, String> topic = Topic.builder("refused-tx", Serdes.string(), Serdes.string())
                .config("max.message.bytes", SMALL_RECORDS.get("max.message.bytes")).build();
        courier.provision(topic);
        try (Publisher<String, String> publisher = courier.publisher(topic, PublisherOptions.builder()
                .guarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalId("refused-tx-1").build())) {
            CompletableFuture<PublishResult> refused = publisher.publish("big", BIG);
            assertThat(refused).as("a failed commit is a failed future, not an exception from publish")
                    .failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CourierException.class);

            CourierException e = assertThrows(CourierException.class,
                    () -> publisher.inTransaction(p -> p.send("big", BIG)));
            assertThat(e).hasMessageContaining("transaction on topic 'refused-tx' failed and was aborted");
            publisher.flush(); // reported by its transaction above, not again here

            assertThrows(AssertionError.class, () -> publisher.inTransaction(p -> {
                p.send("aborted", "a");
                throw new AssertionError("not only exceptions abort");
            }));
            publisher.publishAndWait("fits", "small");
        }
        Publisher<String, String> atLeastOnce = courier.publisher(topic);
        atLeastOnce.send("big", BIG);
        assertThat(assertThrows(CourierException.class, atLeastOnce::close))
                .hasMessageStartingWith("1 message(s) sent to topic 'refused-tx' were not acknowledged");
        assertThat(Probe.readAll(kafka.bootstrapServers(), "refused-tx", true)).extracting(r -> Probe.text(r.key()))
                .containsExactly("fits");
    }

    private static SubscriberOptions options(String group, DeliveryGuarantee guarantee) {
        return SubscriberOptions.builder(group).guarantee(guarantee)
                .retry(new RetryPolicy(3, Duration.ofMillis(50), 2, Duration.ofMillis(200), List.of())).build();
    }

    private static long committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = courier.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        OffsetAndMetadata o = offsets.get(new TopicPartition(group, 0));
        return o == null ? 0 : o.offset();
    }
}
