package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PublishSubscribeIT {
    private static Courier courier;
    private static String bootstrap;

    @BeforeAll
    static void connect(EmbeddedKafkaCluster cluster) {
        bootstrap = cluster.bootstrapServers();
        courier = Courier.connect(CourierConfig.builder(bootstrap).serviceName("orders-service").build());
    }

    @AfterAll
    static void disconnect() {
        courier.close();
    }

    private static Topic<String, OrderEvent> orders(String name, int partitions) {
        Topic<String, OrderEvent> t = Topic.builder(name, Serdes.string(), Serdes.json(OrderEvent.class))
                .partitions(partitions).build();
        courier.provision(t);
        return t;
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void deliversEachEventOfASealedHierarchyToItsHandlerWithTheEnvelope(GroupProtocol protocol) throws Exception {
        Topic<String, OrderEvent> topic = orders("orders-" + protocol.name().toLowerCase(), 3);
        List<Message<String, OrderEvent.OrderPlaced>> placed = new CopyOnWriteArrayList<>();
        List<Message<String, OrderEvent.OrderCancelled>> cancelled = new CopyOnWriteArrayList<>();
        try (Publisher<String, OrderEvent> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic,
                        SubscriberOptions.builder("billing-" + protocol).groupProtocol(protocol).build(),
                        Handlers.<String, OrderEvent>builder()
                                .on(OrderEvent.OrderPlaced.class, (m, c) -> placed.add(m))
                                .on(OrderEvent.OrderCancelled.class, (m, c) -> cancelled.add(m))
                                .build()).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            PublishResult result = publisher.publishAndWait("o-1", new OrderEvent.OrderPlaced("o-1", 4200, Instant.EPOCH));
            publisher.publish(OutboundMessage.<String, OrderEvent>of("o-1", new OrderEvent.OrderCancelled("o-1", "late"))
                    .withHeader("tenant", "acme")).join();

            await().atMost(Duration.ofSeconds(60)).until(() -> placed.size() == 1 && cancelled.size() == 1);
            Message<String, OrderEvent.OrderPlaced> m = placed.get(0);
            assertThat(m.key()).isEqualTo("o-1");
            assertThat(m.value().amountCents()).isEqualTo(4200);
            assertThat(m.envelope().messageId()).isEqualTo(result.messageId());
            assertThat(m.envelope().messageType()).isEqualTo("OrderPlaced");
            assertThat(m.envelope().source()).isEqualTo("orders-service");
            assertThat(m.envelope().correlationId()).as("a new flow").isEqualTo(result.messageId());
            assertThat(m.envelope().contentType()).isEqualTo("application/json");
            assertThat(m.offset()).isEqualTo(result.offset());
            assertThat(cancelled.get(0).headers()).containsEntry("tenant", "acme");
            assertThat(cancelled.get(0).partition()).as("same key, same partition").isEqualTo(m.partition());
        }
        // close() left the group: no member waits out its 45 s session timeout. (The offsets: committed after the
        // batches as they were handled.)
        String group = "billing-" + protocol;
        await("the group without members").atMost(Duration.ofSeconds(10)).until(() -> courier.admin()
                .describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members().isEmpty());
        assertThat(courier.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)).containsEntry(new org.apache.kafka.common.TopicPartition(topic.name(),
                        placed.get(0).partition()), new org.apache.kafka.clients.consumer.OffsetAndMetadata(2));
    }

    @Test
    void followUpsCarryTheCorrelationIdTheCauseAndTheTraceparent() {
        Topic<String, OrderEvent> in = orders("flow-in", 1);
        Topic<String, String> out = Topic.of("flow-out", Serdes.string(), Serdes.string());
        courier.provision(out);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        try (Publisher<String, OrderEvent> publisher = courier.publisher(in);
                Subscriber subscriber = courier.subscriber(in, SubscriberOptions.builder("flow").build(),
                        Handlers.all((m, ctx) -> ctx.publish(out, m.key(), "shipped " + m.value().orderId()))).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            PublishResult cause = publisher.publish(OutboundMessage.<String, OrderEvent>of("o-9",
                    new OrderEvent.OrderPlaced("o-9", 1, Instant.EPOCH)).withCorrelationId("checkout-77")
                    .withTraceparent(traceparent)).join();
            await().atMost(Duration.ofSeconds(60)).until(() -> Probe.readAll(bootstrap, "flow-out", true).size() == 1);
        }
        ConsumerRecord<byte[], byte[]> r = Probe.readAll(bootstrap, "flow-out", true).get(0);
        assertThat(Probe.text(r.value())).isEqualTo("shipped o-9");
        assertThat(Probe.envelopeField(r, 6)).as("correlation id").isEqualTo("checkout-77");
        assertThat(Probe.header(r, "traceparent")).isEqualTo(traceparent);
        assertThat(Probe.envelopeField(r, 7)).as("causation id: the consumed message's id")
                .isEqualTo(Probe.envelopeField(Probe.readAll(bootstrap, "flow-in", true).get(0), 5));
        assertThat(Probe.envelopeField(r, 1)).as("type").isEqualTo("String");
    }

    @Test
    void aCloudEventsServicesFollowUpsCarryTheFlowInCloudEventsHeaders() {
        Topic<String, OrderEvent> in = orders("ce-flow-in", 1);
        Topic<String, String> out = Topic.of("ce-flow-out", Serdes.string(), Serdes.string());
        courier.provision(out);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        try (Courier cloudEvents = Courier.connect(CourierConfig.builder(bootstrap).serviceName("ce-shipping")
                        .envelopeFormat(EnvelopeFormat.CLOUD_EVENTS).build());
                Publisher<String, OrderEvent> publisher = courier.publisher(in);
                Subscriber subscriber = cloudEvents.subscriber(in, SubscriberOptions.builder("ce-flow").build(),
                        Handlers.all((m, ctx) -> ctx.publish(out, m.key(), "shipped " + m.value().orderId()))).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            PublishResult cause = publisher.publish(OutboundMessage.<String, OrderEvent>of("o-10",
                    new OrderEvent.OrderPlaced("o-10", 1, Instant.EPOCH)).withCorrelationId("checkout-78")
                    .withTraceparent(traceparent)).join();
            await().atMost(Duration.ofSeconds(60)).until(() -> Probe.readAll(bootstrap, "ce-flow-out", true).size() == 1);

            ConsumerRecord<byte[], byte[]> r = Probe.readAll(bootstrap, "ce-flow-out", true).get(0);
            assertThat(Probe.header(r, "courier-envelope")).as("the consumed message was compact; its follow-up is not")
                    .isNull();
            assertThat(Probe.header(r, "ce_source")).isEqualTo("ce-shipping");
            assertThat(Probe.header(r, "ce_correlationid")).isEqualTo("checkout-78");
            assertThat(Probe.header(r, "ce_causationid")).isEqualTo(cause.messageId());
            assertThat(Probe.header(r, "traceparent")).isEqualTo(traceparent);
        }
    }

    @Test
    void recordsStayPlainKafkaRecordsThatAnyConsumerReadsInEitherEnvelopeFormat() {
        Topic<String, OrderEvent> topic = orders("plain-readers", 1);
        try (Courier cloudEvents = Courier.connect(CourierConfig.builder(bootstrap).serviceName("ce-service")
                        .envelopeFormat(EnvelopeFormat.CLOUD_EVENTS).build());
                Publisher<String, OrderEvent> compact = courier.publisher(topic);
                Publisher<String, OrderEvent> ce = cloudEvents.publisher(topic)) {
            compact.publishAndWait("o-5", new OrderEvent.OrderCancelled("o-5", "duplicate"));
            ce.publishAndWait("o-6", new OrderEvent.OrderCancelled("o-6", "duplicate"));
        }
        List<ConsumerRecord<byte[], byte[]>> records = Probe.readAll(bootstrap, "plain-readers", false);
        ConsumerRecord<byte[], byte[]> r = records.get(0);
        assertThat(Probe.text(r.key())).isEqualTo("o-5");
        assertThat(Probe.text(r.value())).isEqualTo("{\"orderId\":\"o-5\",\"reason\":\"duplicate\"}");
        assertThat(Probe.header(r, "courier-envelope")).as("the default, compact envelope")
                .startsWith("1|OrderCancelled|orders-service|application/json|");
        ConsumerRecord<byte[], byte[]> c = records.get(1);
        assertThat(Probe.text(c.value())).isEqualTo("{\"orderId\":\"o-6\",\"reason\":\"duplicate\"}");
        assertThat(Probe.header(c, "ce_type")).isEqualTo("OrderCancelled");
        assertThat(Probe.header(c, "ce_source")).isEqualTo("ce-service");
        assertThat(Probe.header(c, "content-type")).isEqualTo("application/json");
        assertThat(Probe.header(c, "ce_specversion")).isEqualTo("1.0");
    }

    @Test
    void compactAndBinaryEnvelopesTravelInOneHeaderAndSubscribersReadEveryFormat() {
        Topic<String, OrderEvent> topic = orders("mixed-envelopes", 1);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        List<Message<String, OrderEvent>> seen = new CopyOnWriteArrayList<>();
        try (Courier compact = Courier.connect(CourierConfig.builder(bootstrap).serviceName("compact-service")
                        .envelopeFormat(EnvelopeFormat.COMPACT).build());
                Courier ce = Courier.connect(CourierConfig.builder(bootstrap).serviceName("ce-service")
                        .envelopeFormat(EnvelopeFormat.CLOUD_EVENTS).build());
                Courier binary = Courier.connect(CourierConfig.builder(bootstrap).serviceName("binary-service")
                        .envelopeFormat(EnvelopeFormat.BINARY).build());
                Publisher<String, OrderEvent> lean = compact.publisher(topic);
                Publisher<String, OrderEvent> cloudEvents = ce.publisher(topic);
                Publisher<String, OrderEvent> bytes = binary.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("mixed").build(),
                        Handlers.all((m, ctx) -> seen.add(m))).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            PublishResult a = lean.publish(OutboundMessage.<String, OrderEvent>of("o-1",
                    new OrderEvent.OrderPlaced("o-1", 1, Instant.EPOCH)).withCorrelationId("checkout-1")
                    .withTraceparent(traceparent)).join();
            PublishResult b = lean.publish("o-2", new OrderEvent.OrderCancelled("o-2", "r")).join();
            PublishResult c = cloudEvents.publish("o-3", new OrderEvent.OrderCancelled("o-3", "r")).join();
            PublishResult d = bytes.publish("o-4", new OrderEvent.OrderCancelled("o-4", "r")).join();
            PublishResult e = bytes.publish(OutboundMessage.<String, OrderEvent>of("o-5",
                    new OrderEvent.OrderPlaced("o-5", 2, Instant.EPOCH)).withCorrelationId("checkout-5")
                    .withCausationId(d.messageId()).withTraceparent(traceparent)).join();
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 5);

            assertThat(seen).extracting(m -> m.envelope().messageId()).containsExactly(a.messageId(), b.messageId(),
                    c.messageId(), d.messageId(), e.messageId());
            assertThat(seen).extracting(m -> m.envelope().source()).containsExactly("compact-service",
                    "compact-service", "ce-service", "binary-service", "binary-service");
            assertThat(seen).extracting(m -> m.envelope().messageType()).containsExactly("OrderPlaced",
                    "OrderCancelled", "OrderCancelled", "OrderCancelled", "OrderPlaced");
            assertThat(seen).extracting(m -> m.value().orderId()).containsExactly("o-1", "o-2", "o-3", "o-4", "o-5");
            assertThat(seen.get(0).envelope().correlationId()).isEqualTo("checkout-1");
            assertThat(seen.get(0).envelope().traceparent()).contains(traceparent);
            assertThat(seen.get(1).envelope().correlationId()).isEqualTo(b.messageId());
            assertThat(seen.get(3).envelope().correlationId()).isEqualTo(d.messageId());
            assertThat(seen.get(3).envelope().contentType()).isEqualTo("application/json");
            assertThat(seen.get(4).envelope().correlationId()).isEqualTo("checkout-5");
            assertThat(seen.get(4).envelope().causationId()).contains(d.messageId());
            assertThat(seen.get(4).envelope().traceparent()).contains(traceparent);
            assertThat(seen.get(0).headers()).isEmpty();
            assertThat(seen.get(4).headers()).isEmpty();
        }
        List<ConsumerRecord<byte[], byte[]>> records = Probe.readAll(bootstrap, "mixed-envelopes", false);
        ConsumerRecord<byte[], byte[]> r = records.get(1);
        assertThat(r.headers().toArray()).extracting(org.apache.kafka.common.header.Header::key)
                .containsExactly("courier-envelope");
        assertThat(Probe.header(r, "courier-envelope")).startsWith("1|OrderCancelled|compact-service|application/json|");
        ConsumerRecord<byte[], byte[]> binaryRecord = records.get(3);
        assertThat(binaryRecord.headers().toArray()).extracting(org.apache.kafka.common.header.Header::key)
                .containsExactly("courier");
        assertThat(binaryRecord.headers().lastHeader("courier").value().length)
                .as("binary envelope bytes, against %s for the compact one",
                        r.headers().lastHeader("courier-envelope").value().length)
                .isLessThanOrEqualTo(r.headers().lastHeader("courier-envelope").value().length - 40);
        assertThat(Probe.text(binaryRecord.value())).isEqualTo("{\"orderId\":\"o-4\",\"reason\":\"r\"}");
    }

    @Test
    void sendWithoutFuturesDeliversAndFlushReportsWhatWasNotAcknowledged() {
        Topic<String, String> topic = Topic.of("fire-and-forget", Serdes.string(), Serdes.string());
        courier.provision(topic);
        try (Publisher<String, String> publisher = courier.publisher(topic,
                PublisherOptions.builder().producerProperty("max.request.size", "2048").build())) {
            for (int i = 0; i < 100; i++) {
                publisher.send("k", "v" + i);
            }
            publisher.flush();
            assertThat(Probe.readAll(bootstrap, "fire-and-forget", true)).hasSize(100);

            publisher.send("big", "x".repeat(4096)); // larger than max.request.size: the broker never sees it
            publisher.send("k", "after");
            io.courier.common.CourierException e =
                    org.junit.jupiter.api.Assertions.assertThrows(io.courier.common.CourierException.class, publisher::flush);
            assertThat(e.getMessage()).startsWith("1 message(s) sent to topic 'fire-and-forget' were not acknowledged; "
                    + "the first: cannot publish to topic 'fire-and-forget' (key 'big')").contains("RecordTooLargeException");
            publisher.flush(); // the failure was reported once
        }
        assertThat(Probe.readAll(bootstrap, "fire-and-forget", true)).extracting(r -> Probe.text(r.value()))
                .hasSize(101).endsWith("after");
    }

    @Test
    void reportsPublishesHandlesFailuresAndDeadLettersToTheMetricsSpi() {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CourierMetrics recording = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                counts.computeIfAbsent("published:" + topic, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void publishFailed(String topic, Throwable error) {
                counts.computeIfAbsent("publishFailed:" + topic, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void handled(String topic, String group, long nanos) {
                counts.computeIfAbsent("handled:" + topic + ":" + group, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void handlerFailed(String topic, String group, int attempt) {
                counts.computeIfAbsent("failed:" + topic, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void deadLettered(String topic, String group) {
                counts.computeIfAbsent("dead:" + topic, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        Topic<String, String> topic = Topic.of("metered", Serdes.string(), Serdes.string());
        try (Courier metered = Courier.connect(CourierConfig.builder(bootstrap).metrics(recording).build())) {
            metered.provision(topic);
            try (Publisher<String, String> publisher = metered.publisher(topic);
                    Subscriber subscriber = metered.subscriber(topic, SubscriberOptions.builder("metered")
                                    .retry(RetryPolicy.exponential(2, Duration.ofMillis(10))).build(),
                            Handlers.all((m, c) -> {
                                if (m.value().equals("bad")) {
                                    throw new IllegalStateException("bad");
                                }
                            })).start()) {
                subscriber.awaitAssignment(Duration.ofSeconds(60));
                publisher.publishAndWait("k", "good-1");
                publisher.publishAndWait("k", "bad");
                publisher.publishAndWait("k", "good-2");
                await().atMost(Duration.ofSeconds(60)).until(() -> counts.containsKey("dead:metered")
                        && counts.getOrDefault("handled:metered:metered", new AtomicInteger()).get() == 2);
            }
            try (Publisher<String, String> small = metered.publisher(topic,
                    PublisherOptions.builder().producerProperty("max.request.size", "2048").build())) {
                small.send("big", "x".repeat(4096)); // send() has no future: the metrics hear of the failure
                org.junit.jupiter.api.Assertions.assertThrows(io.courier.common.CourierException.class, small::flush);
            }
        }
        assertThat(counts.get("publishFailed:metered").get()).isEqualTo(1);
        assertThat(counts.get("published:metered").get()).isEqualTo(3);
        assertThat(counts.get("failed:metered").get()).as("two attempts of 'bad'").isEqualTo(2);
        assertThat(counts.get("dead:metered").get()).isEqualTo(1);
    }

    @Test
    void kafkasOwnConsoleConsumerPrintsCourierRecords() throws Exception {
        Topic<String, OrderEvent> topic = orders("console-readable", 1);
        try (Publisher<String, OrderEvent> publisher = courier.publisher(topic)) {
            publisher.publishAndWait("o-7", new OrderEvent.OrderCancelled("o-7", "out of stock"));
        }
        Process console = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--bootstrap-server", bootstrap, "--topic", "console-readable", "--from-beginning", "--max-messages", "1",
                "--timeout-ms", "60000", "--formatter-property", "print.key=true",
                "--formatter-property", "print.headers=true").redirectErrorStream(true).start();
        String output = new String(console.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(console.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(output).contains("courier-envelope:1|OrderCancelled|orders-service|application/json|", "\to-7\t",
                "{\"orderId\":\"o-7\",\"reason\":\"out of stock\"}", "Processed a total of 1 messages");
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndTheOthersAreHandledThenReplayBringsItBackCorrected() throws Exception {
        Topic<String, OrderEvent> topic = orders("poison", 2);
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 1000; i++) {
                boolean poison = i == 500;
                ProducerRecord<String, String> r = new ProducerRecord<>("poison", "o-" + i,
                        poison ? "{\"orderId\": broken" : "{\"orderId\":\"o-" + i + "\",\"reason\":\"r\"}");
                r.headers().add("ce_type", "OrderCancelled".getBytes(StandardCharsets.UTF_8));
                raw.send(r);
            }
        }
        try (Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("poison-group").build(),
                Handlers.all((m, c) -> handled.merge(m.value().orderId(), 1, Integer::sum))).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 999
                    && Probe.readAll(bootstrap, "poison.dlt", true).size() == 1);

            ConsumerRecord<byte[], byte[]> dead = Probe.readAll(bootstrap, "poison.dlt", true).get(0);
            ConsumerRecord<byte[], byte[]> poison = Probe.readAll(bootstrap, "poison", true).stream()
                    .filter(r -> Probe.text(r.key()).equals("o-500")).findFirst().orElseThrow();
            assertThat(Probe.text(dead.value())).isEqualTo("{\"orderId\": broken");
            assertThat(Probe.header(dead, "courier_dlt_original_topic")).isEqualTo("poison");
            assertThat(Probe.header(dead, "courier_dlt_original_offset")).isEqualTo(Long.toString(poison.offset()));
            assertThat(Probe.header(dead, "courier_dlt_original_partition"))
                    .isEqualTo(Integer.toString(poison.partition()));
            assertThat(Probe.header(dead, "ce_type")).as("the record's own envelope header")
                    .isEqualTo("OrderCancelled");
            assertThat(Probe.header(dead, "courier_dlt_exception_class")).isEqualTo(SerdeException.class.getName());
            assertThat(Probe.header(dead, "courier_dlt_exception_message"))
                    .startsWith("cannot deserialize the value of poison-" + poison.partition() + "@" + poison.offset()
                            + " as OrderEvent: cannot read the JSON as OrderCancelled: Unrecognized token 'broken'");
            assertThat(Probe.header(dead, "courier_dlt_attempts")).isEqualTo("1");
            assertThat(Probe.header(dead, "courier_dlt_group")).isEqualTo("poison-group");
            assertThat(courier.admin().describeTopics(List.of("poison.dlt")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("poison.dlt").partitions()).as("the dead-letter topic is created like its topic").hasSize(2);
            assertThat(handled).doesNotContainKey("o-500").allSatisfy((k, v) -> assertThat(v).isEqualTo(1));

            ReplayResult replay = courier.replayDeadLetters("poison.dlt", ReplayOptions.defaults().withCorrection(d ->
                    d.withValue("{\"orderId\":\"o-500\",\"reason\":\"fixed\"}".getBytes(StandardCharsets.UTF_8))));
            assertThat(replay).isEqualTo(new ReplayResult(1, 0));
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.containsKey("o-500"));
            assertThat(courier.replayDeadLetters("poison.dlt", ReplayOptions.defaults()))
                    .as("a second replay finds nothing new").isEqualTo(new ReplayResult(0, 0));
        }
    }

    @Test
    void aFailingHandlerIsRetriedWithBackoffAndAPermanentFailureIsDeadLettered() {
        Topic<String, OrderEvent> topic = orders("flaky", 1);
        AtomicInteger attemptsOfTransient = new AtomicInteger();
        List<String> done = new CopyOnWriteArrayList<>();
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(50), 2, Duration.ofMillis(200), List.of());
        try (Publisher<String, OrderEvent> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("flaky").retry(retry).build(),
                        Handlers.all((m, ctx) -> {
                            if (m.key().equals("transient") && attemptsOfTransient.incrementAndGet() < 3) {
                                throw new IllegalStateException("database busy");
                            }
                            if (m.key().equals("permanent")) {
                                throw new IllegalStateException("order " + m.key() + " cannot be billed");
                            }
                            done.add(m.key() + "@" + ctx.attempt());
                        })).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("transient", new OrderEvent.OrderCancelled("a", "r"));
            publisher.publishAndWait("permanent", new OrderEvent.OrderCancelled("b", "r"));
            publisher.publishAndWait("fine", new OrderEvent.OrderCancelled("c", "r"));
            await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 2
                    && Probe.readAll(bootstrap, "flaky.dlt", true).size() == 1);
        }
        assertThat(done).containsExactly("transient@3", "fine@1");
        ConsumerRecord<byte[], byte[]> dead = Probe.readAll(bootstrap, "flaky.dlt", true).get(0);
        assertThat(Probe.text(dead.key())).isEqualTo("permanent");
        assertThat(Probe.header(dead, "courier_dlt_attempts")).isEqualTo("3");
        assertThat(Probe.header(dead, "courier_dlt_exception_class")).isEqualTo(IllegalStateException.class.getName());
        assertThat(Probe.header(dead, "courier_dlt_exception_message")).isEqualTo("order permanent cannot be billed");
    }

    @Test
    void aMessageWithoutAHandlerOrWithANonRetriableFailureIsDeadLetteredAtOnce() {
        Topic<String, OrderEvent> topic = orders("unhandled", 1);
        List<String> done = new CopyOnWriteArrayList<>();
        AtomicInteger rejectedRuns = new AtomicInteger();
        RetryPolicy retry = RetryPolicy.exponential(5, Duration.ofMillis(50)).withNonRetriable(List.of(IllegalArgumentException.class));
        try (Publisher<String, OrderEvent> publisher = courier.publisher(topic);
                Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("unhandled").retry(retry).build(),
                        Handlers.<String, OrderEvent>builder().on(OrderEvent.OrderPlaced.class, (m, ctx) -> {
                            if (m.key().equals("rejected")) {
                                rejectedRuns.incrementAndGet();
                                throw new IllegalArgumentException("amount " + m.value().amountCents() + " is negative");
                            }
                            done.add(m.key());
                        }).build()).start()) {
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            publisher.publishAndWait("cancelled", new OrderEvent.OrderCancelled("a", "r")); // no handler for it
            publisher.publishAndWait("rejected", new OrderEvent.OrderPlaced("b", -5, Instant.EPOCH));
            publisher.publishAndWait("fine", new OrderEvent.OrderPlaced("c", 5, Instant.EPOCH));
            await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 1
                    && Probe.readAll(bootstrap, "unhandled.dlt", true).size() == 2);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = Probe.readAll(bootstrap, "unhandled.dlt", true);
        assertThat(dead).extracting(r -> Probe.text(r.key())).containsExactly("cancelled", "rejected");
        assertThat(Probe.header(dead.get(0), "courier_dlt_exception_message")).contains("no handler for message type");
        assertThat(Probe.header(dead.get(1), "courier_dlt_exception_class")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(dead).allSatisfy(r -> assertThat(Probe.header(r, "courier_dlt_attempts")).isEqualTo("1"));
        assertThat(rejectedRuns.get()).as("a non-retriable failure is not retried").isEqualTo(1);
        assertThat(done).containsExactly("fine");
    }

    @Test
    void anExactlyOncePublisherShowsReadCommittedConsumersOnlyCommittedTransactions() {
        Topic<String, String> topic = Topic.of("tx-publish", Serdes.string(), Serdes.string());
        courier.provision(topic);
        try (Publisher<String, String> publisher = courier.publisher(topic,
                PublisherOptions.builder().guarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalId("tx-publish-1").build())) {
            publisher.inTransaction(p -> {
                p.publish("k", "committed-1");
                p.publish("k", "committed-2");
            });
            IllegalStateException aborted = assertThrows(IllegalStateException.class, () -> publisher.inTransaction(p -> {
                p.publish("k", "aborted");
                p.flush(); // in the log, so that only the abort marker hides it
                throw new IllegalStateException("changed my mind");
            }));
            assertThat(aborted).as("the work's own exception, the transaction aborted").hasMessage("changed my mind");
            publisher.publishAndWait("k", "committed-3");
        }
        assertThat(Probe.readAll(bootstrap, "tx-publish", true)).extracting(r -> Probe.text(r.value()))
                .containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(Probe.readAll(bootstrap, "tx-publish", false)).extracting(r -> Probe.text(r.value()))
                .as("the aborted record is in the log").contains("aborted");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void publishesWithEveryCompressionCodec(Compression compression) {
        Topic<String, String> topic = Topic.of("compressed-" + compression.kafkaName(), Serdes.string(), Serdes.string());
        courier.provision(topic);
        try (Publisher<String, String> publisher = courier.publisher(topic,
                PublisherOptions.builder().compression(compression).batchSize(64 * 1024).linger(Duration.ofMillis(20)).build())) {
            for (int i = 0; i < 200; i++) {
                publisher.publish("k", "value-" + i + "-" + "x".repeat(100));
            }
            publisher.flush();
        }
        assertThat(Probe.readAll(bootstrap, topic.name(), true)).hasSize(200);
    }

    @Test
    void roundRobinSpreadsKeylessMessagesEvenlyAndKeepsKeyedOnesTogether() {
        Topic<String, String> topic = Topic.builder("spread", Serdes.string(), Serdes.string()).partitions(4).build();
        courier.provision(topic);
        try (Publisher<String, String> publisher = courier.publisher(topic,
                PublisherOptions.builder().partitioning(Partitioning.ROUND_ROBIN).build())) {
            for (int i = 0; i < 400; i++) {
                publisher.publish(null, "v" + i);
            }
            List<Integer> keyed = java.util.stream.IntStream.range(0, 20)
                    .mapToObj(i -> publisher.publish("same-key", "k" + i).join().partition()).distinct().toList();
            assertThat(keyed).hasSize(1);
        }
        Map<Integer, Long> perPartition = Probe.readAll(bootstrap, "spread", true).stream()
                .filter(r -> r.key() == null)
                .collect(java.util.stream.Collectors.groupingBy(ConsumerRecord::partition, java.util.stream.Collectors.counting()));
        assertThat(perPartition).hasSize(4).allSatisfy((p, n) -> assertThat(n).isEqualTo(100L));
    }
}
