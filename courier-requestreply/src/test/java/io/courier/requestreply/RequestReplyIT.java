package io.courier.requestreply;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.DeadLetter;
import io.courier.core.EnvelopeFormat;
import io.courier.core.OutboundMessage;
import io.courier.core.PublisherOptions;
import io.courier.core.Serde;
import io.courier.core.SerdeException;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/** Request-reply against a real broker: answers, failures, timeouts, late replies, decoupling, scatter-gather. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RequestReplyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static int counter;

    private final EmbeddedKafkaCluster cluster;
    private Courier courier;
    private Endpoint<String, String, String> endpoint;
    private String replies;

    RequestReplyIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void declare() {
        courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("checkout").build());
        int n = ++counter;
        Topic<String, String> requests = Topic.builder("prices-" + n, Serdes.string(), Serdes.string()).partitions(3).build();
        courier.provision(requests);
        endpoint = Endpoint.of(requests, Serdes.string());
        replies = "checkout-" + n + ".replies";
    }

    @AfterEach
    void close() {
        courier.close();
    }

    private Requester requester() {
        return Requester.start(courier, RequesterOptions.builder(replies).replyPartitions(4).build());
    }

    private Responder responder(String group, RequestHandler<String, String, String> handler) {
        return Responder.start(courier, endpoint, ResponderOptions.builder(group).build(), handler);
    }

    /** A text serde that writes with {@code write}, for a reply serde that fails or waits. */
    private static Serde<String> textWrittenBy(java.util.function.Function<String, byte[]> write) {
        return new Serde<>() {
            @Override
            public Class<String> type() {
                return String.class;
            }

            @Override
            public String contentType() {
                return "text/plain";
            }

            @Override
            public byte[] serialize(String value) {
                return write.apply(value);
            }

            @Override
            public String deserialize(byte[] data, String messageType) {
                return new String(data, StandardCharsets.UTF_8);
            }
        };
    }

    @Test
    void answersWithTheTypedReplyAndCarriesTheFlowIdsFromRequestToReply() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        java.util.concurrent.atomic.AtomicReference<String> requestId = new java.util.concurrent.atomic.AtomicReference<>();
        try (Requester requester = requester();
                Responder responder = responder("pricing", RequestHandler.sync(m -> {
                    requestId.set(m.envelope().messageId());
                    return "price of " + m.value();
                }))) {
            Reply<String> reply = requester.request(endpoint,
                    OutboundMessage.of("sku-1", "sku-1").withTraceparent(traceparent).withCausationId("order-7"),
                    WAIT).get();

            assertThat(reply).isInstanceOf(Reply.Success.class);
            Reply.Success<String> success = (Reply.Success<String>) reply;
            assertThat(success.value()).isEqualTo("price of sku-1");
            assertThat(success.envelope().correlationId()).isEqualTo(reply.correlationId());
            assertThat(success.envelope().traceparent()).contains(traceparent);
            assertThat(success.envelope().causationId()).as("the request's message id").contains(requestId.get());
            assertThat(requester.stats().succeeded()).isEqualTo(1);
            assertThat(responder.stats().answered()).isEqualTo(1);
        }
    }

    @Test
    void theReplyTopicKeepsRepliesAnHourAndItsGroupMovesPartitionsCooperatively() throws Exception {
        RequesterOptions options = RequesterOptions.builder(replies).replyPartitions(4).build();
        Requester requester = Requester.start(courier, options); // creates the reply topic and joins the group
        try {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, replies);
            assertThat(courier.admin().describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic)
                    .get("retention.ms").value()).isEqualTo("3600000");
            assertThat(courier.admin().describeConsumerGroups(List.of(options.groupId())).all()
                    .get(30, TimeUnit.SECONDS).get(options.groupId()).partitionAssignor())
                    .isEqualTo("cooperative-sticky");
        } finally {
            requester.close();
        }
    }

    @Test
    void settingUpTheRequestTopicsPublisherDoesNotEatIntoTheDeadline() throws Exception {
        // Each new producer moves this clock an hour on: a request whose deadline was taken before its publisher
        // existed would reach the responder an hour late and be skipped.
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ClientFactory kafka = ClientFactory.kafka();
        ClientFactory slowSetup = new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                clock.advance(Duration.ofHours(1));
                return kafka.producer(config);
            }

            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return kafka.consumer(config);
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                return kafka.admin(config);
            }
        };
        try (Courier slow = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("slow")
                        .clock(clock).clientFactory(slowSetup).build());
                Responder responder = Responder.start(slow, endpoint, ResponderOptions.builder("slow-pricing").build(),
                        RequestHandler.sync(m -> "price of " + m.value()));
                Requester requester = Requester.start(slow, RequesterOptions.builder(replies).replyPartitions(4).build())) {
            Reply<String> reply = requester.request(endpoint, "sku-3", "sku-3", WAIT).get();

            assertThat(reply).isInstanceOf(Reply.Success.class);
            assertThat(responder.stats().expired()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = EnvelopeFormat.class, names = {"CLOUD_EVENTS", "BINARY"})
    void theOtherEnvelopeFormatsCarryTheFlowFromRequestToReplyToo(EnvelopeFormat format) throws Exception {
        try (Courier cloudEvents = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("ce")
                        .envelopeFormat(format).build());
                Requester requester = Requester.start(cloudEvents, RequesterOptions.builder(replies).replyPartitions(4)
                        .build());
                Responder responder = Responder.start(cloudEvents, endpoint, ResponderOptions.builder(format
                        + "-pricing").build(), RequestHandler.sync(m -> "price of " + m.value()))) {
            Reply<String> reply = requester.request(endpoint, OutboundMessage.of("sku-2", "sku-2"), WAIT).get();

            assertThat(reply).isInstanceOf(Reply.Success.class);
            Reply.Success<String> success = (Reply.Success<String>) reply;
            assertThat(success.value()).isEqualTo("price of sku-2");
            assertThat(success.envelope().correlationId()).isEqualTo(reply.correlationId());
            assertThat(success.envelope().source()).isEqualTo("ce");
            assertThat(responder.stats().answered()).isEqualTo(1);
        }
    }

    @Test
    void aHandlerExceptionComesBackAsAFailureWithItsTypeAndMessage() throws Exception {
        try (Requester requester = requester();
                Responder responder = responder("pricing", RequestHandler.sync(m -> {
                    throw new IllegalArgumentException("unknown sku " + m.value());
                }))) {
            Reply<String> reply = requester.request(endpoint, "sku-9", "sku-9", WAIT).get();

            assertThat(reply).isInstanceOf(Reply.Failure.class);
            Reply.Failure<String> failure = (Reply.Failure<String>) reply;
            assertThat(failure.errorType()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(failure.message()).isEqualTo("unknown sku sku-9");
            assertThat(responder.stats().failed()).isEqualTo(1);
        }
    }

    @Test
    void anErrorThrownByAHandlerComesBackAsAFailureAndTheResponderCarriesOn() throws Exception {
        try (Requester requester = requester();
                Responder responder = responder("pricing", RequestHandler.sync(m -> {
                    if (m.value().equals("sku-broken")) {
                        throw new AssertionError("invariant broken for " + m.value());
                    }
                    return "price of " + m.value();
                }))) {
            Reply<String> failure = requester.request(endpoint, "sku-broken", "sku-broken", WAIT).get();
            assertThat(failure).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(AssertionError.class.getName());
                assertThat(f.message()).isEqualTo("invariant broken for sku-broken");
            });
            // The same partition's next request: the thread that read the broken one is still there.
            Reply<String> next = requester.request(endpoint, "sku-broken", "sku-2", WAIT).get();
            assertThat(next).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-2"));
            assertThat(responder.stats()).isEqualTo(new ResponderStats(1, 1, 0));
        }
    }

    @ParameterizedTest(name = "from a handler that is asynchronous: {0}")
    @ValueSource(booleans = {false, true})
    void aJvmErrorFromAHandlerIsNotAnsweredButStopsTheResponderThreadAsInAnySubscriber(boolean async)
            throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("simulated: no heap left");
        CountDownLatch handling = new CountDownLatch(1);
        try (Requester requester = requester();
                Responder responder = responder("out-of-memory-" + async, m -> {
                    handling.countDown();
                    if (async) {
                        return CompletableFuture.failedFuture(error);
                    }
                    throw error;
                })) {
            responder.awaitAssignment(WAIT);

            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "sku-1", "sku-1",
                    Duration.ofSeconds(5));

            assertThat(handling.await(30, TimeUnit.SECONDS)).as("the handler ran").isTrue();
            assertThat(reply.get()).as("no failure reply: the JVM is in trouble, not the request").isInstanceOf(
                    Reply.Timeout.class);
            assertThat(responder.stats().answered() + responder.stats().failed()).isZero();
            await("the responder's thread stopped").atMost(WAIT).until(() -> !responder.isRunning());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"throws", "answers null", "fails its stage"})
    void aHandlerThatCloseInterruptsGetsNoReplyWhateverItThrowsAndItsRequestGoesToAnotherInstance(String how)
            throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        String group = "handover-" + how.replace(' ', '-');
        try (Requester requester = requester()) {
            Responder first = responder(group, m -> {
                handling.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) { // close()'s interrupt, swallowed and reported in its own words
                    return switch (how) {
                        case "throws" -> throw new AssertionError("aborted while pricing " + m.value());
                        case "answers null" -> CompletableFuture.completedFuture(null);
                        default -> CompletableFuture.failedFuture(new IllegalStateException("aborted"));
                    };
                }
                return CompletableFuture.completedFuture("never");
            });
            first.awaitAssignment(WAIT);
            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "sku-1", "sku-1", WAIT);
            assertThat(handling.await(30, TimeUnit.SECONDS)).as("the first instance is handling it").isTrue();

            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> first.close(Duration.ofMillis(-1)));
            first.close(Duration.ofMillis(100));

            assertThat(first.stats()).as("no failure reply from the instance that was closing")
                    .isEqualTo(new ResponderStats(0, 0, 0));
            try (Responder second = responder(group, RequestHandler.sync(m -> "price of " + m.value()))) {
                assertThat(reply.get()).as("answered by the group's other instance, as it was never committed")
                        .isInstanceOfSatisfying(Reply.Success.class,
                                s -> assertThat(s.value()).isEqualTo("price of sku-1"));
                assertThat(second.stats().answered()).isEqualTo(1);
            }
        }
    }

    @Test
    void aReplySerdeThatCloseInterruptsSendsNoFailureReplyAndTheRequestGoesToAnotherInstance() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean slowOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        Serde<String> slow = textWrittenBy(value -> {
            if (slowOnce.getAndSet(false)) {
                writing.countDown();
                try {
                    Thread.sleep(60_000); // a schema registry that does not answer, say
                } catch (InterruptedException e) { // close()'s interrupt, reported in the serde's own words
                    throw new IllegalStateException("interrupted while encoding " + value);
                }
            }
            return value.getBytes(StandardCharsets.UTF_8);
        });
        Endpoint<String, String, String> slowReplies = Endpoint.of(endpoint.requests(), slow);
        RequestHandler<String, String, String> pricing = RequestHandler.sync(m -> "price of " + m.value());
        try (Requester requester = requester()) {
            Responder first = Responder.start(courier, slowReplies, ResponderOptions.builder("slow-writer").build(),
                    pricing);
            first.awaitAssignment(WAIT);
            CompletableFuture<Reply<String>> reply = requester.request(slowReplies, "sku-1", "sku-1", WAIT);
            assertThat(writing.await(30, TimeUnit.SECONDS)).as("the first instance is writing its answer").isTrue();

            first.close(Duration.ofMillis(100));

            assertThat(first.stats()).as("no failure reply from the instance that was closing")
                    .isEqualTo(new ResponderStats(0, 0, 0));
            try (Responder second = Responder.start(courier, slowReplies,
                    ResponderOptions.builder("slow-writer").build(), pricing)) {
                assertThat(reply.get()).as("answered by the group's other instance, as it was never committed")
                        .isInstanceOfSatisfying(Reply.Success.class,
                                s -> assertThat(s.value()).isEqualTo("price of sku-1"));
                assertThat(second.stats().answered()).isEqualTo(1);
            }
        }
    }

    @Test
    void aHandlerThatIgnoresTheCloseInterruptAndReturnsItsAnswerIsAnswered() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        try (Requester requester = requester()) {
            Responder first = responder("stubborn", RequestHandler.sync(m -> {
                handling.countDown();
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait(); // work that does not look at interrupts, until close's arrives
                }
                return "price of " + m.value() + ", finished anyway";
            }));
            first.awaitAssignment(WAIT);
            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "sku-1", "sku-1", WAIT);
            assertThat(handling.await(30, TimeUnit.SECONDS)).as("the handler is running").isTrue();

            first.close(Duration.ofMillis(100));

            assertThat(reply.get()).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-1, finished anyway"));
            assertThat(first.stats()).isEqualTo(new ResponderStats(1, 0, 0));
        }
    }

    @Test
    void aHandlerFailingOnItsOwnWhileTheResponderClosesIsAnsweredWithTheFailure() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        try (Requester requester = requester()) {
            Responder first = responder("failing-while-closing", RequestHandler.sync(m -> {
                handling.countDown();
                try {
                    fail.await();
                } catch (InterruptedException e) {
                    throw new AssertionError("close was not to interrupt: it waits 30 s", e);
                }
                throw new IllegalStateException("no price for " + m.value());
            }));
            first.awaitAssignment(WAIT);
            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "sku-1", "sku-1", WAIT);
            assertThat(handling.await(30, TimeUnit.SECONDS)).as("the handler is running").isTrue();
            Thread closer = new Thread(() -> first.close(Duration.ofSeconds(30)), "closer");
            closer.start();
            // Waiting for its handler (Thread.join): close has begun.
            await().atMost(WAIT).until(() -> closer.getState() == Thread.State.TIMED_WAITING);

            fail.countDown();
            closer.join(WAIT.toMillis());

            assertThat(closer.isAlive()).as("close returned once the handler was done").isFalse();
            assertThat(reply.get()).as("the handler's own failure, not close's interrupt: answered")
                    .isInstanceOfSatisfying(Reply.Failure.class, f -> assertThat(f.errorType())
                            .isEqualTo(IllegalStateException.class.getName()));
            assertThat(first.stats()).isEqualTo(new ResponderStats(0, 1, 0));
        }
    }

    @Test
    void aReplyThatCannotBeSerializedComesBackAsAFailureInsteadOfATimeout() throws Exception {
        Serde<String> unwritable = textWrittenBy(value -> {
            if (value.endsWith("sku-2")) {
                throw new AssertionError("no encoder for " + value); // an Error, as a broken serde may throw
            }
            throw new IllegalStateException("no encoder for " + value);
        });
        Endpoint<String, String, String> broken = Endpoint.of(endpoint.requests(), unwritable);
        try (Requester requester = requester();
                Responder responder = Responder.start(courier, broken, ResponderOptions.builder("pricing").build(),
                        RequestHandler.sync(m -> "price of " + m.value()))) {
            Reply<String> reply = requester.request(broken, "sku-1", "sku-1", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(SerdeException.class.getName());
                assertThat(f.message()).contains("cannot publish to topic '" + replies + "'")
                        .contains("no encoder for price of sku-1");
            });
            assertThat(requester.request(broken, "sku-2", "sku-2", WAIT).get()).isInstanceOfSatisfying(
                    Reply.Failure.class, f -> {
                        assertThat(f.errorType()).isEqualTo(AssertionError.class.getName());
                        assertThat(f.message()).isEqualTo("no encoder for price of sku-2");
                    });
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 2, 0));
        }
    }

    @Test
    void aReplyTooLargeForTheProducerComesBackAsAFailureNamingTheLimit() throws Exception {
        try (Requester requester = requester();
                Responder responder = Responder.start(courier, endpoint, ResponderOptions.builder("pricing").build(),
                        RequestHandler.sync(m -> "x".repeat(2_000_000)))) {
            Reply<String> reply = requester.request(endpoint, "sku-1", "sku-1", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(RecordTooLargeException.class.getName());
                assertThat(f.message()).contains("max.request.size");
            });
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 1, 0));
            ConsumerRecord<byte[], byte[]> dead = readOne(endpoint.name() + ".dlt");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("sku-1");
            assertThat(header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE)).contains("max.request.size");
        }
    }

    @Test
    void aReplyTheBrokerRefusesAfterTheSendEndsAsTheCallersTimeoutAndTheRequestIsDeadLettered() throws Exception {
        // The broker, not the producer, refuses records over 1,000 bytes on this reply topic: a failure that
        // arrives after the send, as an authorization refusal would.
        cluster.createTopic(replies, 4, 1, Map.of("retention.ms", "3600000", "max.message.bytes", "1000"));
        try (Requester requester = requester();
                Responder responder = responder("pricing", RequestHandler.sync(m -> "x".repeat(5_000)))) {
            responder.awaitAssignment(WAIT);
            Reply<String> reply = requester.request(endpoint, "sku-1", "sku-1", Duration.ofSeconds(5)).get();

            assertThat(reply).isInstanceOf(Reply.Timeout.class);
            ConsumerRecord<byte[], byte[]> dead = readOne(endpoint.name() + ".dlt");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("sku-1");
            assertThat(header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE)).contains("to topic '" + replies + "'",
                    "larger than the max message size the server will accept");
        }
    }

    @Test
    void aHandlerWhoseStageFailsSendsAFailureReplyWithTheCause() throws Exception {
        try (Requester requester = requester();
                Responder responder = responder("pricing", m -> CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("out of stock: " + m.value());
                }))) {
            Reply<String> reply = requester.request(endpoint, "sku-1", "sku-1", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(IllegalStateException.class.getName());
                assertThat(f.message()).isEqualTo("out of stock: sku-1");
            });
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 1, 0));
        }
    }

    /** What the JSON endpoint's responder expects; the requester below sends text that is not JSON. */
    record PriceQuery(String sku) {}

    @Test
    void aRequestThatCannotBeReadComesBackAsAFailureNamingWhereAndWhatWasExpected() throws Exception {
        Endpoint<String, PriceQuery, String> typed = Endpoint.of(Topic.of(endpoint.requests().name(), Serdes.string(),
                Serdes.json(PriceQuery.class)), Serdes.string());
        try (Requester requester = requester();
                Responder responder = Responder.start(courier, typed, ResponderOptions.builder("pricing").build(),
                        RequestHandler.sync(m -> "price of " + m.value().sku()))) {
            Reply<String> reply = requester.request(endpoint, "sku-1", "{broken", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(SerdeException.class.getName());
                assertThat(f.message()).startsWith("cannot deserialize the value of " + endpoint.requests().name() + "-")
                        .contains(" as PriceQuery: ");
            });
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 1, 0));
            // A readable request on the same partition is answered: the responder carries on. (The requester's
            // publisher for this topic writes text: the JSON is spelled out.)
            Reply<String> next = requester.request(endpoint, "sku-1", "{\"sku\":\"sku-1\"}", WAIT).get();
            assertThat(next).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-1"));
        }
    }

    @Test
    void aHandlerMayAnswerLaterFromAnotherThread() throws Exception {
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (Requester requester = requester();
                Responder responder = responder("pricing", m -> {
                    CompletableFuture<String> answer = new CompletableFuture<>();
                    later.schedule(() -> answer.complete("later " + m.value()), 300, TimeUnit.MILLISECONDS);
                    return answer;
                })) {
            Reply<String> reply = requester.request(endpoint, "a", "a", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("later a"));
            assertThat(responder.stats().answered()).isEqualTo(1);
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void timesOutNamingTopicCorrelationIdAndDeadlineWhenNobodyAnswers() throws Exception {
        try (Requester requester = requester()) {
            Instant before = Instant.now();
            Reply<String> reply = requester.request(endpoint, "k", "nobody listens", Duration.ofMillis(700)).get();

            assertThat(reply).isInstanceOf(Reply.Timeout.class);
            Reply.Timeout<String> timeout = (Reply.Timeout<String>) reply;
            assertThat(timeout.topic()).isEqualTo(endpoint.name());
            assertThat(timeout.deadline()).isAfter(before.plusMillis(600));
            assertThat(timeout.describe()).contains(endpoint.name(), timeout.correlationId(),
                    "deadline " + timeout.deadline());
            assertThat(requester.stats().timedOut()).isEqualTo(1);
        }
    }

    @Test
    void aReplyAfterTheTimeoutIsDroppedAndCountedAndAForeignReplyReachesNoCaller() throws Exception {
        try (Requester requester = requester();
                KafkaProducer<String, String> raw = plainProducer()) {
            Reply<String> reply = requester.request(endpoint, "k", "slow", Duration.ofMillis(300)).get();
            assertThat(reply).isInstanceOf(Reply.Timeout.class);
            int partition = requester.replyPartitions().iterator().next();
            CompletableFuture<Reply<String>> waiting = requester.request(endpoint, "k", "waiting", WAIT);

            raw.send(replyRecord(partition, reply.correlationId(), "too late")).get();
            raw.send(replyRecord(partition, "a-correlation-id-nobody-sent", "not yours")).get();

            await().atMost(WAIT).until(() -> requester.stats().late() == 1 && requester.stats().unmatched() == 1);
            assertThat(waiting).isNotDone();
            assertThat(requester.stats().pending()).isEqualTo(1);
        }
    }

    @Test
    void aReplyCountsAsLateWhileItsRequestIsAmongTheLastHundredThousandCompletedAndAsUnmatchedAfter()
            throws Exception {
        try (Requester requester = requester();
                KafkaProducer<String, String> raw = plainProducer()) {
            Reply<String> reply = requester.request(endpoint, "k", "nobody listens", Duration.ofMillis(300)).get();
            assertThat(reply).isInstanceOf(Reply.Timeout.class);
            int partition = requester.replyPartitions().iterator().next();
            // 99,999 completions after it, without 99,999 round trips: straight into the requester's memory of them.
            java.lang.reflect.Field field = requester.getClass().getDeclaredField("completed");
            field.setAccessible(true);
            Object completed = field.get(requester);
            java.lang.reflect.Method add = completed.getClass().getDeclaredMethod("add", String.class);
            add.setAccessible(true);
            for (int i = 0; i < 99_999; i++) {
                add.invoke(completed, "completed-after-" + i);
            }

            raw.send(replyRecord(partition, reply.correlationId(), "late")).get();
            await("the reply counted").atMost(WAIT)
                    .until(() -> requester.stats().late() + requester.stats().unmatched() == 1);
            assertThat(requester.stats().late()).as("its request is one of the last 100,000 completed").isEqualTo(1);

            add.invoke(completed, "completed-after-99999"); // now 100,000 after it: it is forgotten
            raw.send(replyRecord(partition, reply.correlationId(), "later")).get();
            await("the second reply counted").atMost(WAIT)
                    .until(() -> requester.stats().late() + requester.stats().unmatched() == 2);
            assertThat(requester.stats().unmatched()).as("its request is older than the last 100,000").isEqualTo(1);
        }
    }

    /** @return a bare kafka-clients producer of String keys and values, as a service outside Courier would use */
    private KafkaProducer<String, String> plainProducer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrapServers()), new StringSerializer(),
                new StringSerializer());
    }

    private ProducerRecord<String, String> replyRecord(int partition, String correlationId, String value) {
        ProducerRecord<String, String> r = new ProducerRecord<>(replies, partition, correlationId, value);
        r.headers().add("ce_correlationid", correlationId.getBytes(StandardCharsets.UTF_8));
        r.headers().add(ReplyHeaders.STATUS, "success".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void aRequestSentWhileNoResponderRunsWaitsInTheTopicAndIsAnsweredWhenOneStarts() throws Exception {
        try (Requester requester = requester()) {
            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "k", "early", WAIT);
            CompletableFuture<Reply<String>> expired = requester.request(endpoint, "k", "too early",
                    Duration.ofMillis(200));
            assertThat(expired.get()).isInstanceOf(Reply.Timeout.class);
            Thread.sleep(1000); // nobody is running: the request waits in the topic
            assertThat(reply).isNotDone();

            try (Responder responder = responder("late-starter", RequestHandler.sync(m -> "answered " + m.value()))) {
                assertThat(reply.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(Reply.Success.class,
                        s -> assertThat(s.value()).isEqualTo("answered early"));
                await().atMost(WAIT).until(() -> responder.stats().expired() == 1);
                assertThat(responder.stats().answered()).isEqualTo(1);
            }
        }
    }

    @Test
    void scatterGatherCollectsOneReplyPerResponderGroupUntilTheDeadline() throws Exception {
        try (Requester requester = requester();
                Responder a = responder("quotes-a", RequestHandler.sync(m -> "a:" + m.value()));
                Responder b = responder("quotes-b", RequestHandler.sync(m -> "b:" + m.value()))) {
            a.awaitAssignment(WAIT);
            b.awaitAssignment(WAIT);
            Gathered<String> both = requester.gather(endpoint, "k", "x", 2, WAIT).get();
            assertThat(both.complete()).isTrue();
            assertThat(both.values()).containsExactlyInAnyOrder("a:x", "b:x"); // their order: ReplyMatchingTest

            Gathered<String> three = requester.gather(endpoint, "k", "y", 3, Duration.ofSeconds(3)).get();
            assertThat(three.complete()).isFalse();
            assertThat(three.values()).containsExactlyInAnyOrder("a:y", "b:y");
        }
    }

    @Test
    void aGatherCountsAGroupsSecondReplyAsLateInsteadOfFillingAnotherPlace() throws Exception {
        try (Requester requester = requester();
                Responder a = responder("quotes-a", RequestHandler.sync(m -> "a:" + m.value()));
                KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                        Map.of("bootstrap.servers", cluster.bootstrapServers()),
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            a.awaitAssignment(WAIT);
            CompletableFuture<Gathered<String>> gathered = requester.gather(endpoint, "k", "x", 2,
                    Duration.ofSeconds(10));
            ConsumerRecord<byte[], byte[]> first = readOne(replies);
            assertThat(header(first, ReplyHeaders.RESPONDER_GROUP)).as("every reply names its group")
                    .isEqualTo("quotes-a");

            // The same group answering again, as it does for a request redelivered after a crash: a copy.
            raw.send(new ProducerRecord<>(first.topic(), first.partition(), first.key(), first.value(),
                    first.headers())).get();

            await().atMost(WAIT).until(() -> requester.stats().late() == 1);
            Gathered<String> result = gathered.get();
            assertThat(result.complete()).isFalse();
            assertThat(result.values()).containsExactly("a:x");
            assertThat(requester.stats().succeeded()).isEqualTo(1);
        }
    }

    @Test
    void aRequesterWithoutAReplyPartitionFailsToStartWithAClearMessage() {
        RequesterOptions one = RequesterOptions.builder(replies).replyPartitions(1)
                .readyTimeout(Duration.ofSeconds(5)).build();
        try (Requester first = Requester.start(courier, one)) {
            assertThat(first.replyPartitions()).containsExactly(0);
            assertThatThrownBy(() -> Requester.start(courier, one))
                    .isInstanceOf(CourierRetriableException.class)
                    .hasMessageContaining(replies)
                    .hasMessageContaining("more requester instances than reply partitions");
        }
    }

    @Test
    void aRequestTimeoutMustBePositiveAndAtMostAYear() {
        try (Requester requester = requester()) {
            assertThatThrownBy(() -> requester.request(endpoint, "k", "v", Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must be positive and at most 8760h, but was 0s");
            // Beyond it the deadline's arithmetic would overflow, and the request would stay pending for ever.
            assertThatThrownBy(() -> requester.gather(endpoint, "k", "v", 2, Duration.ofDays(Integer.MAX_VALUE)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most 8760h, but was 51539607528h");
            assertThat(requester.stats().pending()).isZero();
        }
    }

    @Test
    void twoEndpointsOnOneTopicEachWriteWithTheirOwnSerdes() throws Exception {
        Endpoint<String, PriceQuery, String> typed = Endpoint.of(Topic.of(endpoint.requests().name(), Serdes.string(),
                Serdes.json(PriceQuery.class)), Serdes.string());
        try (Requester requester = requester();
                Responder responder = Responder.start(courier, typed, ResponderOptions.builder("pricing").build(),
                        RequestHandler.sync(m -> "price of " + m.value().sku()))) {
            // The text endpoint first: its publisher must not write the JSON endpoint's records after it.
            Reply<String> text = requester.request(endpoint, "sku-1", "{\"sku\":\"sku-1\"}", WAIT).get();
            Reply<String> json = requester.request(typed, "sku-2", new PriceQuery("sku-2"), WAIT).get();

            assertThat(text).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-1"));
            assertThat(json).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-2"));

            // JSON with a mapper of its own, which writes "Sku": its records, not the first JSON endpoint's publisher's.
            Endpoint<String, PriceQuery, String> upperCamel = Endpoint.of(Topic.of(endpoint.requests().name(),
                    Serdes.string(), Serdes.json(PriceQuery.class, com.fasterxml.jackson.databind.json.JsonMapper
                            .builder().propertyNamingStrategy(
                                    com.fasterxml.jackson.databind.PropertyNamingStrategies.UPPER_CAMEL_CASE).build())),
                    Serdes.string());
            assertThat(requester.request(upperCamel, "sku-3", new PriceQuery("sku-3"), WAIT).get())
                    .as("the responder's default mapper ignores \"Sku\"").isInstanceOfSatisfying(Reply.Success.class,
                            s -> assertThat(s.value()).isEqualTo("price of null"));
            assertThat(responder.stats().answered()).isEqualTo(3);
        }
    }

    @Test
    void aRequestWithoutReplyHeadersGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        try (Responder responder = responder("pricing", RequestHandler.sync(m -> "never"));
                KafkaProducer<String, String> raw = plainProducer()) {
            raw.send(new ProducerRecord<>(endpoint.name(), "k", "no reply headers")).get();

            // The responder creates the dead-letter topic when it starts: only the record in it shows it went there.
            ConsumerRecord<byte[], byte[]> dead = readOne(endpoint.name() + ".dlt");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("no reply headers");
            assertThat(header(dead, DeadLetter.Headers.ORIGINAL_TOPIC)).isEqualTo(endpoint.name());
            assertThat(header(dead, DeadLetter.Headers.EXCEPTION_CLASS)).isEqualTo(CourierException.class.getName());
            assertThat(header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE))
                    .contains("has no " + ReplyHeaders.REPLY_TOPIC + " or " + ReplyHeaders.REPLY_PARTITION + " header")
                    .contains("it was not sent by a Courier requester");
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 0, 0));
        }
    }

    @Test
    void aRequestWithoutADeadlineWhoseHandlerNeverAnswersGetsAFailureAfterTheHandlingTimeout() throws Exception {
        String plainReplies = replies + ".plain";
        cluster.createTopic(plainReplies, 1, 1, Map.of());
        AtomicInteger handled = new AtomicInteger();
        try (Responder responder = Responder.start(courier, endpoint, ResponderOptions.builder("stuck")
                        .handlingTimeout(Duration.ofSeconds(1)).build(), m -> {
                    handled.incrementAndGet();
                    return "stuck".equals(m.value()) ? new CompletableFuture<String>()
                            : CompletableFuture.completedFuture("answered " + m.value());
                });
                KafkaProducer<String, String> plain = plainProducer()) {
            // A plain Kafka client's request: reply headers, no deadline.
            ProducerRecord<String, String> request = new ProducerRecord<>(endpoint.name(), "k", "stuck");
            request.headers().add(ReplyHeaders.REPLY_TOPIC, plainReplies.getBytes(StandardCharsets.UTF_8))
                    .add(ReplyHeaders.REPLY_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
            plain.send(request).get();

            ConsumerRecord<byte[], byte[]> reply = readOne(plainReplies);
            assertThat(header(reply, ReplyHeaders.STATUS)).isEqualTo(ReplyHeaders.FAILURE);
            assertThat(header(reply, ReplyHeaders.RESPONDER_GROUP)).as("a failure reply names its group too")
                    .isEqualTo("stuck");
            assertThat(new String(reply.value(), StandardCharsets.UTF_8))
                    .contains("did not answer request", "handlingTimeout of 1s", "carries no deadline");
            assertThat(responder.stats().failed()).isEqualTo(1);
            try (Requester requester = requester()) { // the partition moved on
                assertThat(requester.request(endpoint, "k", "next", WAIT).get()).isInstanceOfSatisfying(
                        Reply.Success.class, s -> assertThat(s.value()).isEqualTo("answered next"));
            }
        }
    }

    @Test
    void aHandlerThatOutlastsTheHandlingTimeoutGivesAFailureBeforeALongerDeadline() throws Exception {
        try (Responder responder = Responder.start(courier, endpoint, ResponderOptions.builder("slow")
                        .handlingTimeout(Duration.ofSeconds(1)).build(), m -> new CompletableFuture<String>());
                Requester requester = requester()) {
            // The caller would wait a minute; the responder's thread may not (max.poll.interval.ms).
            Reply<String> reply = requester.request(endpoint, "k", "stuck", Duration.ofMinutes(1)).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> assertThat(f.message())
                    .contains("did not answer request", "handlingTimeout of 1s").doesNotContain("no deadline"));
            assertThat(responder.stats()).isEqualTo(new ResponderStats(0, 1, 0));
        }
    }

    @Test
    void aHandlingTimeoutNotShorterThanAPollIntervalSetForEveryClientIsRefused() {
        try (Courier everyClient = Courier.connect(CourierConfig.builder(cluster.bootstrapServers())
                .clientProperty("max.poll.interval.ms", "30000").build())) {
            assertThatThrownBy(() -> Responder.start(everyClient, endpoint, ResponderOptions.builder("pricing").build(),
                    RequestHandler.sync(m -> "never")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("handlingTimeout must be shorter than max.poll.interval.ms=30000 (a client property of "
                            + "the Courier config), past which the group would evict this instance, but was 1m");
        }
    }

    @Test
    void anInterruptTheHandlerCausedItselfGivesAFailureAndTheResponderCarriesOn() throws Exception {
        try (Requester requester = requester();
                Responder responder = Responder.start(courier, endpoint, ResponderOptions.builder("pricing").build(),
                        m -> {
                            if (m.value().equals("sku-1")) {
                                Thread.currentThread().interrupt(); // left set by the handler's own code
                                return new CompletableFuture<String>();
                            }
                            return CompletableFuture.completedFuture("price of " + m.value());
                        })) {
            Reply<String> reply = requester.request(endpoint, "sku", "sku-1", WAIT).get();
            Reply<String> next = requester.request(endpoint, "sku", "sku-2", WAIT).get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class,
                    f -> assertThat(f.errorType()).isEqualTo(InterruptedException.class.getName()));
            assertThat(next).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo("price of sku-2"));
            assertThat(responder.stats()).isEqualTo(new ResponderStats(1, 1, 0));
        }
    }

    @Test
    void aRequestTheCallerCompletesItselfIsNoLongerPendingAndItsReplyCountsAsLate() throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        try (Requester requester = requester();
                Responder responder = responder("pricing", m -> CompletableFuture.supplyAsync(() -> {
                    try {
                        answer.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "price of " + m.value();
                }))) {
            CompletableFuture<Reply<String>> cancelled = requester.request(endpoint, "k", "cancelled", WAIT);
            CompletableFuture<Reply<String>> timedOut = requester.request(endpoint, "k", "timed out", WAIT)
                    .orTimeout(3, TimeUnit.SECONDS); // long enough for the two checks below on a busy machine
            assertThat(requester.stats().pending()).isEqualTo(2);

            cancelled.cancel(false);
            assertThat(requester.stats().pending()).isEqualTo(1);
            await().atMost(WAIT).until(() -> requester.stats().pending() == 0);
            answer.countDown();

            await().atMost(WAIT).until(() -> requester.stats().late() == 2);
            assertThat(timedOut).isCompletedExceptionally();
            assertThat(requester.stats().succeeded()).isZero();
            assertThat(responder.stats().answered()).isEqualTo(2);
        }
    }

    @Test
    void closingTheRequesterFromATimedOutCallersContinuationLeavesThatThreadUninterrupted() throws Exception {
        Requester requester = requester();
        try {
            CompletableFuture<Boolean> interruptedAfterClose = requester.request(endpoint, "k", "nobody answers",
                    Duration.ofMillis(500)).thenApply(reply -> {
                        requester.close(); // on the timer thread that completed the timeout
                        return Thread.currentThread().isInterrupted();
                    });

            assertThat(interruptedAfterClose.get(30, TimeUnit.SECONDS)).isFalse();
        } finally {
            requester.close();
        }
    }

    /** Waits for the first record of a topic, read from the beginning of every partition without a group. */
    private ConsumerRecord<byte[], byte[]> readOne(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", cluster.bootstrapServers()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, WAIT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            await().atMost(WAIT).pollInSameThread().until(() -> { // a consumer is used by one thread at a time
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return !read.isEmpty();
            });
            return read.get(0);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aRequestNamingAReplyTargetThatDoesNotExistIsDeadLetteredAtOnceAndTheRequestsBehindItAreAnswered()
            throws Exception {
        try (Requester requester = requester();
                Responder responder = responder("pricing", RequestHandler.sync(m -> "price of " + m.value()));
                KafkaProducer<String, String> raw = plainProducer()) {
            // Same key, so same request partition, as the requests after them: they wait behind them.
            raw.send(request("no partition 99", replies, 99)).get();
            raw.send(request("no such topic", "nowhere.replies", 0)).get();
            Reply<String> next = requester.request(endpoint, "k", "sku-1", WAIT).get();

            assertThat(next).as("answered before its deadline, not stuck behind the producer's metadata wait")
                    .isInstanceOfSatisfying(Reply.Success.class, s -> assertThat(s.value()).isEqualTo("price of sku-1"));
            List<String> reasons = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> dlt = new KafkaConsumer<>(Map.of("bootstrap.servers",
                    cluster.bootstrapServers(), "auto.offset.reset", "earliest", "group.id", "dlt-check"),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                dlt.subscribe(List.of(endpoint.name() + ".dlt"));
                await().atMost(WAIT).until(() -> {
                    dlt.poll(Duration.ofMillis(200)).forEach(r -> reasons.add(header(r,
                            DeadLetter.Headers.EXCEPTION_MESSAGE)));
                    return reasons.size() == 2;
                });
            }
            assertThat(reasons.get(0)).contains("names partition 99 of reply topic '" + replies + "', which has 4 "
                    + "partition(s), so there is nowhere to answer");
            assertThat(reasons.get(1)).contains("names reply topic 'nowhere.replies', which does not exist");
            assertThat(responder.stats()).isEqualTo(new ResponderStats(1, 0, 0));
        }
    }

    private ProducerRecord<String, String> request(String value, String replyTopic, int replyPartition) {
        ProducerRecord<String, String> r = new ProducerRecord<>(endpoint.name(), "k", value);
        r.headers().add(ReplyHeaders.REPLY_TOPIC, replyTopic.getBytes(StandardCharsets.UTF_8));
        r.headers().add(ReplyHeaders.REPLY_PARTITION, Integer.toString(replyPartition).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void aResponderStopsWaitingForAnAsynchronousAnswerAtTheDeadlineAndCountsItExpired() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (Requester requester = requester();
                // One thread: it can answer the second request only once it stopped waiting for the first.
                Responder responder = responder("never-answers", m -> {
                    handled.incrementAndGet();
                    return "never".equals(m.value()) ? new CompletableFuture<String>()
                            : CompletableFuture.completedFuture("answered " + m.value());
                })) {
            responder.awaitAssignment(WAIT);
            // A first round trip, so that the 2 s below need not cover fetching metadata and the first fetch.
            assertThat(requester.request(endpoint, "k", "warm-up", WAIT).get()).isInstanceOf(Reply.Success.class);
            Reply<String> unanswered = requester.request(endpoint, "k", "never", Duration.ofSeconds(2)).get();
            assertThat(unanswered).isInstanceOf(Reply.Timeout.class);

            await().atMost(WAIT).until(() -> responder.stats().expired() == 1);
            assertThat(handled).as("the handler got the request before its deadline").hasValue(2);
            assertThat(requester.request(endpoint, "k", "next", WAIT).get())
                    .isInstanceOfSatisfying(Reply.Success.class, s -> assertThat(s.value()).isEqualTo("answered next"));
            assertThat(responder.stats()).isEqualTo(new ResponderStats(2, 0, 1));
            assertThat(requester.stats().timedOut()).isEqualTo(1);
        }
    }

    @Test
    void aRequestToATopicThatDoesNotExistFailsAtOnceNamingItInsteadOfTimingOut() {
        Endpoint<String, String, String> missing = Endpoint.of(Topic.of("no-such-requests", Serdes.string(),
                Serdes.string()), Serdes.string());
        try (Requester requester = requester()) {
            CompletableFuture<Reply<String>> reply = requester.request(missing, "k", "v", WAIT);

            assertThat(reply).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(CourierException.class).withMessageContaining("'no-such-requests'");
            assertThat(requester.stats()).as("not sent, and counted as an error")
                    .returns(0L, RequesterStats::sent).returns(1L, RequesterStats::errors)
                    .returns(0L, RequesterStats::timedOut).returns(0, RequesterStats::pending);
        }
    }

    @Test
    void aRequestToAClusterGoneAfterThePublisherWasSetUpFailsNamingTheTopicWhenTheProducerGivesUp() throws Exception {
        EmbeddedKafkaCluster gone = EmbeddedKafkaCluster.start();
        try (Courier c = Courier.connect(CourierConfig.builder(gone.bootstrapServers()).serviceName("stranded")
                        .connectTimeout(Duration.ofSeconds(2)).build())) {
            Topic<String, String> requests = Topic.of("unanswered-prices", Serdes.string(), Serdes.string());
            c.provision(requests);
            Endpoint<String, String, String> unanswered = Endpoint.of(requests, Serdes.string());
            // Depending on the last metadata it got, the producer blocks the send (max.block.ms) or buffers the
            // record (delivery.timeout.ms); Kafka's defaults, 1 and 2 minutes, are shortened here.
            PublisherOptions briefSends = PublisherOptions.builder().producerProperty("max.block.ms", "3000")
                    .producerProperty("request.timeout.ms", "1000").producerProperty("delivery.timeout.ms", "6000")
                    .build();
            try (Requester requester = Requester.start(c, RequesterOptions.builder("unanswered.replies")
                    .replyPartitions(1).publisherOptions(briefSends).build())) {
                // Nobody answers: this request only sets up the topic's publisher.
                assertThat(requester.request(unanswered, "k", "first", Duration.ofSeconds(1)).get())
                        .isInstanceOf(Reply.Timeout.class);
                gone.close();

                CompletableFuture<Reply<String>> reply = requester.request(unanswered, "k", "second", WAIT);

                assertThat(reply).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(CourierRetriableException.class)
                        .withMessageContaining("'unanswered-prices'");
                assertThat(requester.stats()).as("sent, refused by the producer, and counted as an error")
                        .returns(2L, RequesterStats::sent).returns(1L, RequesterStats::errors)
                        .returns(1L, RequesterStats::timedOut).returns(0, RequesterStats::pending);
            }
        } finally {
            gone.close();
        }
    }

    @Test
    void aRequestToAClusterThatBecameUnreachableFailsWithACourierExceptionNamingTheTopic() throws Exception {
        EmbeddedKafkaCluster gone = EmbeddedKafkaCluster.start();
        String servers = gone.bootstrapServers();
        try (Courier c = Courier.connect(CourierConfig.builder(servers).serviceName("stranded")
                        .connectTimeout(Duration.ofSeconds(2)).build())) {
            Topic<String, String> requests = Topic.of("stranded-prices", Serdes.string(), Serdes.string());
            c.provision(requests);
            Endpoint<String, String, String> stranded = Endpoint.of(requests, Serdes.string());
            try (Requester requester = Requester.start(c, RequesterOptions.builder("stranded.replies")
                    .replyPartitions(1).build())) {
                gone.close();

                CompletableFuture<Reply<String>> reply = requester.request(stranded, "k", "v", WAIT);

                assertThat(reply).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(CourierException.class)
                        .withMessageContaining("'stranded-prices'").withMessageContaining(servers);
                assertThat(requester.stats().timedOut()).isZero();
            }
        } finally {
            gone.close();
        }
    }
}
